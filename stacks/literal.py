"""Values we put into Terraform JSON as data, never as expressions.

Terraform evaluates ``${…}`` and ``%{…}`` in every JSON string of a configuration (object keys
included). A rule description ``${file("/etc/hostname")}`` would otherwise be read on the machine
running ``plan`` and land in the deployed policy. ``$${`` and ``%%{`` are Terraform's escapes for
the literal text; everything from the config, templates or environment is written with
``literal_text`` (by ``splice``, keys included), and only the expressions we write ourselves are left as
they are. The one exception is the backend block: Terraform reads it without evaluating or unescaping
anything (``"path": "a-${x}-$${y}"`` is the file ``a-${x}-$${y}``), so its values are written unescaped.
"""

from __future__ import annotations


def literal_text(value: str) -> str:
    return value.replace("${", "$${").replace("%{", "%%{")
