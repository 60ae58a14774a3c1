"""Values we put into Terraform JSON as data, never as expressions.

Terraform evaluates ``${…}`` and ``%{…}`` in every JSON string of a configuration (object keys
included). A rule description ``${file("/etc/hostname")}`` would otherwise be read on the machine
running ``plan`` and land in the deployed policy. ``$${`` and ``%%{`` are Terraform's escapes for
the literal text; everything from the config, templates or environment goes through ``literal``,
and only the expressions we write ourselves are left as they are.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def literal_text(value: str) -> str:
    return value.replace("${", "$${").replace("%{", "%%{")


def literal(value: T) -> T:
    """``value`` with every string (and mapping key) escaped; numbers and booleans unchanged."""
    if isinstance(value, str):
        return literal_text(value)  # type: ignore[return-value]
    if isinstance(value, dict):
        # Strings inline: a target's maps hold thousands of them (names, policy texts), one call each adds up.
        return {  # type: ignore[return-value]
            (literal_text(k) if type(k) is str else literal(k)): (literal_text(v) if type(v) is str else literal(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [literal(v) for v in value]  # type: ignore[return-value]
    return value
