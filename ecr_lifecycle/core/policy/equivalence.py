"""Policy equivalence as the Terraform AWS provider decides it, so drift and review agree with its plans.

The provider (``aws_ecr_lifecycle_policy``, its JSON diff suppression) decodes both texts into Go
structs whose fields are pointers, sorts rules by ``rulePriority`` and each tag list, and compares the
re-encoded JSON. What follows from Go's ``encoding/json`` and from pointer fields, mirrored here:

* keys match case-insensitively (``Rules`` is ``rules``; the last of duplicate keys wins); unknown keys
  are dropped;
* a zero value is still a value: ``"description": ""``, ``"countNumber": 0``, ``"rulePriority": 0`` and
  ``"action": {}`` differ from the key being absent; only ``null`` and empty tag lists count as absent;
* a value of the wrong JSON type (``false`` or ``5.0`` where an integer belongs) fails the decode, and
  such a text only equals itself.
"""

from __future__ import annotations

import json
from typing import Any

_INT, _STR, _LIST = "int", "str", "list"
_RULE = {"rulepriority": ("rulePriority", _INT), "description": ("description", _STR)}
_SELECTION = {
    "tagstatus": ("tagStatus", _STR),
    "tagpatternlist": ("tagPatternList", _LIST),
    "tagprefixlist": ("tagPrefixList", _LIST),
    "storageclass": ("storageClass", _STR),
    "counttype": ("countType", _STR),
    "countunit": ("countUnit", _STR),
    "countnumber": ("countNumber", _INT),
}
_ACTION = {"targetstorageclass": ("targetStorageClass", _STR), "type": ("type", _STR)}


class _Undecodable(Exception):
    """Go's decoder would fail on this text."""


def _fields(raw: Any, known: dict[str, tuple[str, str]]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Undecodable
    out: dict[str, Any] = {}
    for key, value in raw.items():  # in document order, so the last duplicate wins as in Go
        spec = known.get(key.lower())
        if spec is None:
            continue
        name, kind = spec
        if value is None:
            out.pop(name, None)
            continue
        if kind == _INT:
            if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
                raise _Undecodable
        elif kind == _STR:
            if not isinstance(value, str):
                raise _Undecodable
        else:
            if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
                raise _Undecodable
            entries = sorted(v for v in value if v is not None)
            if not entries:
                out.pop(name, None)
                continue
            value = entries
        out[name] = value
    return out


def _object(raw: dict[str, Any], key: str) -> Any:
    """The value of ``key`` matched case-insensitively, the last match winning; ``None`` if absent."""
    found = None
    for k, v in raw.items():
        if k.lower() == key:
            found = v
    return found


def provider_normal_form(text: str) -> str | None:
    """The provider's normalised form of a policy text, or ``None`` where its decoder would fail."""
    if not text.strip():
        text = "{}"
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    try:
        if not isinstance(doc, dict):
            raise _Undecodable
        rules = _object(doc, "rules")
        if rules is not None and not isinstance(rules, list):
            raise _Undecodable
        out_rules: list[dict[str, Any] | None] = []
        for raw in rules or []:
            if raw is None:
                out_rules.append(None)
                continue
            if not isinstance(raw, dict):
                raise _Undecodable
            rule: dict[str, Any] = _fields(raw, _RULE)
            for key, known in (("selection", _SELECTION), ("action", _ACTION)):
                value = _object(raw, key)
                if value is not None:
                    rule[key] = _fields(value, known)
            out_rules.append(rule)
    except _Undecodable:
        return None
    out_rules.sort(key=lambda r: r.get("rulePriority", 0) if isinstance(r, dict) else 0)
    normal: dict[str, Any] = {"rules": out_rules} if out_rules else {}
    return json.dumps(normal, sort_keys=True, separators=(",", ":"))


def equivalent_policy_texts(a: str, b: str) -> bool:
    """True when the Terraform AWS provider would plan no change between the two texts.

    Rule order and tag-list order are ignored; see the module docstring for the rest."""
    if a == b:
        return True
    na, nb = provider_normal_form(a), provider_normal_form(b)
    return na is not None and na == nb
