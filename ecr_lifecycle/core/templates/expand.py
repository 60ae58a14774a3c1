"""Replace ``${param}`` placeholders in template rules with parameter values.

A string that is exactly ``${name}`` becomes the value itself, with its type (a number,
a list); inside longer strings the value is inserted as text. ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([^}]*)\}")


class PlaceholderError(ValueError):
    def __init__(self, path: list[str | int], message: str) -> None:
        super().__init__(message)
        self.path = path


def placeholders(value: Any) -> set[str]:
    """Every parameter name used in ``value``."""
    if isinstance(value, str):
        return {m.group(1) for m in _PLACEHOLDER.finditer(value) if m.group(1) is not None}
    if isinstance(value, dict):
        return set().union(*(placeholders(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value)) if value else set()
    return set()


def expand(value: Any, params: dict[str, Any], path: list[str | int] | None = None) -> Any:
    path = path or []
    if isinstance(value, dict):
        return {k: expand(v, params, [*path, k]) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, params, [*path, i]) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    whole = _PLACEHOLDER.fullmatch(value)
    if whole and whole.group(1) is not None:
        return _lookup(whole.group(1), params, path)

    def text(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "${"
        found = _lookup(match.group(1), params, path)
        if isinstance(found, (list, dict)):
            raise PlaceholderError(path, f"${{{match.group(1)}}} is a list or object; use it as the whole value")
        return str(found).lower() if isinstance(found, bool) else str(found)

    return _PLACEHOLDER.sub(text, value)


def _lookup(name: str, params: dict[str, Any], path: list[str | int]) -> Any:
    if name not in params:
        raise PlaceholderError(path, f"unknown parameter ${{{name}}}; declare it under 'parameters'")
    return params[name]
