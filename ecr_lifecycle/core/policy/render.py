"""Canonical rendering of a policy (the provider's notion of equivalence is in ``equivalence.py``).

The canonical text is compact JSON: rules sorted by priority, keys in the order of
``model.RULE_KEYS``/``SELECTION_KEYS``/``ACTION_KEYS``, no nulls, no empty lists, and
``storageClass`` left out when it is the default ``standard``. It is what we send to
AWS and what the length limits are checked against.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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


# ``json.dumps`` with options builds an encoder per call; the canonical text is rendered thousands of times.
_CANONICAL = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def render_rule(rule: Rule) -> str:
    """One rule's part of the canonical text."""
    return _CANONICAL.encode(rule_to_dict(rule))


def policy_text(rules: Iterable[str]) -> str:
    """The canonical text of a policy from its rules' parts, in priority order (compact JSON is the parts
    joined: the same text as encoding the whole document at once)."""
    return '{"rules":[' + ",".join(rules) + "]}"


def render_policy(policy: Policy, *, indent: int | None = None) -> str:
    """The canonical text (compact), or an indented copy of it for people."""
    if indent is None:
        return policy_text(render_rule(r) for r in policy.rules)
    return json.dumps(policy_to_dict(policy), indent=indent, separators=(",", ": "), ensure_ascii=False)
