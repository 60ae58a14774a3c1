"""Canonical rendering of a policy, and the Terraform provider's notion of equivalence.

The canonical text is compact JSON: rules sorted by priority, keys in the order of
``model.RULE_KEYS``/``SELECTION_KEYS``/``ACTION_KEYS``, no nulls, no empty lists, and
``storageClass`` left out when it is the default ``standard``. It is what we send to
AWS and what the length limits are checked against.
"""

from __future__ import annotations

import json
from typing import Any

from ecr_lifecycle.core.policy.model import Policy, Rule, StorageClass


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    sel = rule.selection
    selection: dict[str, Any] = {"tagStatus": sel.tag_status.value}
    if sel.tag_prefix_list:
        selection["tagPrefixList"] = list(sel.tag_prefix_list)
    if sel.tag_pattern_list:
        selection["tagPatternList"] = list(sel.tag_pattern_list)
    if sel.storage_class is not StorageClass.STANDARD:
        selection["storageClass"] = sel.storage_class.value
    selection["countType"] = sel.count_type.value
    if sel.count_unit is not None:
        selection["countUnit"] = sel.count_unit.value
    selection["countNumber"] = sel.count_number
    action: dict[str, Any] = {"type": rule.action.type.value}
    if rule.action.target_storage_class is not None:
        action["targetStorageClass"] = rule.action.target_storage_class.value
    out: dict[str, Any] = {"rulePriority": rule.rule_priority}
    if rule.description:
        out["description"] = rule.description
    out["selection"] = selection
    out["action"] = action
    return out


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    return {"rules": [rule_to_dict(r) for r in policy.rules]}


def render_policy(policy: Policy, *, indent: int | None = None) -> str:
    """The canonical text (compact), or an indented copy of it for people."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(policy_to_dict(policy), indent=indent, separators=separators, ensure_ascii=False)


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
    """Normalise a policy text the way the Terraform AWS provider compares them (reference 5.1).

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
