"""Canonical rendering and the Terraform provider's notion of equivalence."""

from __future__ import annotations

import json

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
