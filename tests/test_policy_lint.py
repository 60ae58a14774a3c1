"""Warnings (W codes): each has a fixture that triggers it and policies that do not."""

from __future__ import annotations

from typing import Any

import pytest

from ecr_lifecycle.core.checks_doc import rules_markdown
from ecr_lifecycle.core.policy import check_policy
from ecr_lifecycle.core.policy.checks import CATALOGUE
from tests.helpers import policy, rule
from tests.test_policy_vectors import NEGATIVE

LINT_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "AND-matched prefix list",
        policy(rule(1, "tagged", prefixes=["prod", "release"])),
        "W001",
        "rules[0].selection.tagPrefixList",
    ),
    (
        "shadowed by an earlier pattern",
        policy(rule(1, "tagged", patterns=["*"]), rule(2, "tagged", prefixes=["v"])),
        "W002",
        "rules[1]",
    ),
    (
        "shadowed by an earlier prefix",
        policy(rule(1, "tagged", prefixes=["re"]), rule(2, "tagged", prefixes=["rel"])),
        "W002",
        "rules[1]",
    ),
    ("any rule by age with nothing kept", policy(rule(1, "any", "sinceImagePushed", 30)), "W003", "rules[0]"),
    (
        "sinceImagePulled needs pull-time exclusions",
        policy(rule(1, "any", "sinceImagePulled", 90, action="transition", target="archive")),
        "W004",
        "rules[0].selection.countType",
    ),
    (
        "archive minimum",
        policy(rule(1, "any", "sinceImagePushed", 30, action="transition", target="archive")),
        "W005",
        "rules[0]",
    ),
    (
        "explicit standard storage class",
        policy(rule(1, "any", storage_class="standard")),
        "W006",
        "rules[0].selection.storageClass",
    ),
    (
        "duplicate list entry",
        policy(rule(1, "tagged", prefixes=["a", "a"])),
        "W007",
        "rules[0].selection.tagPrefixList",
    ),
    (
        "pattern without wildcard",
        policy(rule(1, "tagged", patterns=["qa"])),
        "W008",
        "rules[0].selection.tagPatternList[0]",
    ),
    (
        "'?' is not a wildcard in tag patterns",
        policy(rule(1, "tagged", patterns=["v?.*"])),
        "W009",
        "rules[0].selection.tagPatternList[0]",
    ),
    (
        "a space no tag can hold",
        policy(rule(1, "tagged", prefixes=["release "])),
        "W009",
        "rules[0].selection.tagPrefixList[0]",
    ),
]


@pytest.mark.parametrize(("name", "doc", "code", "path"), LINT_CASES, ids=[c[0] for c in LINT_CASES])
def test_warning_fires_with_its_path(name: str, doc: dict[str, Any], code: str, path: str) -> None:
    result = check_policy(doc)
    assert result.ok, "warnings never make a policy invalid"
    assert (code, path) in {(w.code, w.path) for w in result.warnings}


CLEAN = {
    "releases kept, builds capped": policy(
        rule(1, "untagged", "sinceImagePushed", 7),
        rule(2, "tagged", "imageCountMoreThan", 30, patterns=["v*.*.*"]),
        rule(3, "any", "imageCountMoreThan", 100),
    ),
    "disjoint prefixes are not shadowed": policy(
        rule(1, "tagged", prefixes=["release"]), rule(2, "tagged", prefixes=["rc"])
    ),
    "a narrower earlier rule does not shadow a wider later one": policy(
        rule(1, "tagged", prefixes=["release-"]), rule(2, "tagged", prefixes=["rel"])
    ),
    "an any rule by age after a tagged keeper": policy(
        rule(1, "tagged", "imageCountMoreThan", 5, prefixes=["v"]), rule(2, "any", "sinceImagePushed", 30)
    ),
}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_sound_policies_get_no_warnings(name: str) -> None:
    result = check_policy(CLEAN[name])
    assert result.ok
    assert [w.render() for w in result.warnings] == []


def test_every_catalogued_check_has_a_failing_fixture() -> None:
    covered = {code for _, _, code, _ in NEGATIVE} | {code for _, _, code, _ in LINT_CASES}
    covered |= {"E108", "E307", "E308"}  # pinned in test_policy_vectors (duplicate keys, length limits)
    assert covered == set(CATALOGUE)


def test_rules_doc_is_generated_from_the_catalogue() -> None:
    import os

    path = os.path.join(os.path.dirname(__file__), "..", "docs", "rules.md")
    with open(path, encoding="utf-8") as fh:
        assert fh.read() == rules_markdown(), "run: python -m ecr_lifecycle.core.checks_doc > docs/rules.md"
