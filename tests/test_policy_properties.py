"""Properties of the validator and the renderer over generated inputs."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_lifecycle.core.policy import check_policy, equivalent_policy_texts, parse_policy_text, render_policy
from ecr_lifecycle.core.policy.render import policy_to_dict
from tests.strategies import json_values, valid_policies

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_POLICY_KEYS = [
    "rules",
    "rulePriority",
    "selection",
    "action",
    "tagStatus",
    "countType",
    "countNumber",
    "countUnit",
    "tagPrefixList",
    "tagPatternList",
    "storageClass",
    "type",
    "targetStorageClass",
]


@pytest.mark.slow
@SETTINGS
@given(valid_policies())
def test_generated_valid_policies_are_accepted_and_round_trip(doc: dict[str, Any]) -> None:
    result = check_policy(doc)
    assert result.ok, [f.render() for f in result.errors]
    assert result.policy is not None
    text = render_policy(result.policy)
    # Rendered rule by rule (each distinct rule once per process): the text of the whole document at once.
    assert text == json.dumps(policy_to_dict(result.policy), separators=(",", ":"), ensure_ascii=False)
    assert result.text == text == check_policy(json.loads(json.dumps(doc))).text
    assert parse_policy_text(text) == result.policy
    assert render_policy(parse_policy_text(text)) == text
    assert equivalent_policy_texts(text, json.dumps(doc))


@pytest.mark.slow
@SETTINGS
@given(valid_policies(), st.randoms(use_true_random=False))
def test_verdict_and_rendering_do_not_depend_on_rule_order(doc: dict[str, Any], rnd: random.Random) -> None:
    shuffled = {"rules": list(doc["rules"])}
    rnd.shuffle(shuffled["rules"])
    a, b = check_policy(doc), check_policy(shuffled)
    assert a.ok == b.ok
    assert a.policy == b.policy
    assert a.policy is not None and render_policy(a.policy) == render_policy(b.policy)  # type: ignore[arg-type]
    assert a.text == b.text  # the texts from the rules' cached parts, in priority order whatever the list's order


@pytest.mark.slow
@SETTINGS
@given(json_values)
def test_arbitrary_json_never_raises(value: Any) -> None:
    result = check_policy(value)
    assert result.ok == (result.policy is not None)


@pytest.mark.slow
@SETTINGS
@given(
    st.recursive(
        st.sampled_from(
            [
                None,
                0,
                1,
                90,
                -1,
                True,
                "any",
                "tagged",
                "untagged",
                "days",
                "expire",
                "transition",
                "archive",
                "standard",
                "sinceImagePulled",
                "imageCountMoreThan",
                "prod*",
                "",
            ]
        ),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(_POLICY_KEYS), children, max_size=7)
        ),
        max_leaves=30,
    )
)
def test_policy_shaped_garbage_never_raises(value: Any) -> None:
    result = check_policy({"rules": [value]} if not isinstance(value, dict) else value)
    assert all(f.message for f in result.findings)
