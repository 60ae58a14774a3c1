"""Policy equivalence as the Terraform AWS provider decides it (its ``aws_ecr_lifecycle_policy``
diff suppression): two texts it considers equal plan no change, so drift and review must agree."""

from __future__ import annotations

import json
from typing import Any

_PROVIDER_RULE_KEYS = ("rulePriority", "description", "selection", "action")
_PROVIDER_SELECTION_KEYS = (
    "tagStatus",
    "tagPatternList",
    "tagPrefixList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
)
_PROVIDER_ACTION_KEYS = ("targetStorageClass", "type")


def _pick(raw: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    out = {}
    for key in keys:
        value = raw.get(key)
        if value is None or value == "" or value == [] or value == 0:
            continue  # Go's omitempty drops zero values
        if isinstance(value, list):
            value = sorted(str(v) for v in value)
        out[key] = value
    return out


def provider_normal_form(text: str) -> str:
    """Normalise a policy text the way the Terraform AWS provider compares them.

    Unknown keys are dropped, rules sorted by priority, tag lists sorted, empty values
    left out. Invalid JSON is returned unchanged so it only equals itself.
    """
    if not text.strip():
        return "{}"
    try:
        doc = json.loads(text)
    except ValueError:
        return text
    if not isinstance(doc, dict):
        return text
    rules = doc.get("rules")
    out_rules = []
    for raw in rules if isinstance(rules, list) else []:
        rule = _pick(raw, _PROVIDER_RULE_KEYS[:2])
        selection = _pick(raw.get("selection") if isinstance(raw, dict) else None, _PROVIDER_SELECTION_KEYS)
        action = _pick(raw.get("action") if isinstance(raw, dict) else None, _PROVIDER_ACTION_KEYS)
        if selection:
            rule["selection"] = selection
        if action:
            rule["action"] = action
        out_rules.append(rule)
    out_rules.sort(key=lambda r: r.get("rulePriority", 0) if isinstance(r.get("rulePriority"), int) else 0)
    normal: dict[str, Any] = {"rules": out_rules} if out_rules else {}
    return json.dumps(normal, sort_keys=True, separators=(",", ":"))


def equivalent_policy_texts(a: str, b: str) -> bool:
    """True when the Terraform AWS provider would see no difference between the two texts.

    Rule order and tag-list order are ignored. Note one thing the provider does that we
    also do: an explicit ``storageClass: standard`` differs from an omitted one.
    """
    return provider_normal_form(a) == provider_normal_form(b)
