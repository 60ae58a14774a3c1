"""Canonical rendering and the Terraform provider's notion of equivalence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecr_lifecycle.core.policy import check_policy, equivalent_policy_texts, render_policy
from tests.helpers import policy, rule


def test_canonical_text_sorts_rules_orders_keys_and_drops_defaults() -> None:
    doc = policy(
        rule(2, "any", "imageCountMoreThan", 5, description="b" * 20),
        rule(1, "tagged", "sinceImagePushed", 3, prefixes=["x"], storage_class="standard", description="a" * 20),
    )
    result = check_policy(doc)
    assert result.policy is not None
    text = render_policy(result.policy)
    assert text == (
        '{"rules":[{"rulePriority":1,"description":"aaaaaaaaaaaaaaaaaaaa","selection":{"tagStatus":"tagged",'
        '"tagPrefixList":["x"],"countType":"sinceImagePushed","countUnit":"days","countNumber":3},'
        '"action":{"type":"expire"}},{"rulePriority":2,"description":"bbbbbbbbbbbbbbbbbbbb","selection":'
        '{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}'
    )
    assert json.loads(render_policy(result.policy, indent=2)) == json.loads(text)


def test_equivalence_ignores_rule_order_list_order_and_unknown_keys() -> None:
    a = policy(rule(1, "tagged", prefixes=["a", "b"]), rule(2, "any"))
    b = policy(rule(2, "any"), rule(1, "tagged", prefixes=["b", "a"]))
    b["rules"][0]["x-note"] = "dropped by the provider"
    assert equivalent_policy_texts(json.dumps(a), json.dumps(b, indent=4))


def test_equivalence_sees_real_changes() -> None:
    base = policy(rule(1, "untagged", "sinceImagePushed", 7))
    changed = policy(rule(1, "untagged", "sinceImagePushed", 8))
    described = policy(rule(1, "untagged", "sinceImagePushed", 7, description="other words"))
    archived = policy(rule(1, "untagged", "sinceImagePushed", 7, action="transition", target="archive"))
    for other in (changed, described, archived):
        assert not equivalent_policy_texts(json.dumps(base), json.dumps(other))


def test_empty_text_is_an_empty_object_and_invalid_json_equals_only_itself() -> None:
    assert equivalent_policy_texts("", "  {} ")
    assert equivalent_policy_texts("{not json", "{not json")
    assert not equivalent_policy_texts("{not json", "{}")


# The provider's own comparison, pair by pair: Go pointer fields keep zero values, keys match
# case-insensitively, the wrong JSON type fails its decoder.
_BASE = {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
         "action": {"type": "expire"}}  # fmt: skip


def _with(**changes: Any) -> str:
    rule = json.loads(json.dumps(_BASE))
    for path, value in changes.items():
        node = rule
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        if value is _ABSENT:
            node.pop(last, None)
        else:
            node[last] = value
    return json.dumps({"rules": [rule]})


_ABSENT = object()


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (_with(description=""), _with(), False),  # the one a valid policy reaches: drift said "in sync"
        (_with(selection__countNumber=0), _with(selection__countNumber=_ABSENT), False),
        (_with(rulePriority=0), _with(rulePriority=_ABSENT), False),
        (_with(action={}), _with(action=_ABSENT), False),
        (_with(selection__countNumber=False), _with(selection__countNumber=_ABSENT), False),
        (_with(selection__countNumber=5.0), _with(), False),
        (_with(description=None), _with(), True),  # null is absent
        (_with(selection__tagPrefixList=[]), _with(), True),  # an empty list is absent
        (json.dumps({"Rules": [_BASE]}), _with(), True),
        (_with(selection__TagStatus="any", selection__tagStatus=_ABSENT), _with(), True),
        (_with(Description="x"), _with(description="x"), True),
        (_with(unknown="dropped"), _with(), True),
    ],
)
def test_equivalence_is_the_providers(a: str, b: str, equal: bool) -> None:
    assert equivalent_policy_texts(a, b) is equal
    assert equivalent_policy_texts(b, a) is equal
