"""Each distinct rule is checked once per process: the same rule elsewhere in a list, or in another policy,
still gets findings that name its own place."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.core.policy.check import CheckResult, check_policy

UNTAGGED: dict[str, Any] = {
    "rulePriority": 1,
    "description": "untagged",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 0},
    "action": {"type": "expire"},
}
ANY: dict[str, Any] = {
    "rulePriority": 2,
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
    "action": {"type": "expire"},
}


def paths(result: CheckResult) -> list[str]:
    return sorted(f.path for f in result.findings)


def test_a_cached_rule_keeps_its_own_path_in_every_policy() -> None:
    first = check_policy({"rules": [UNTAGGED, ANY]})
    again = check_policy({"rules": [UNTAGGED, ANY]})
    moved = check_policy({"rules": [{**ANY, "rulePriority": 1}, {**UNTAGGED, "rulePriority": 2}]})
    assert paths(first) == paths(again)
    assert any(p.startswith("rules[0]") for p in paths(first)), paths(first)
    assert any(p.startswith("rules[1]") for p in paths(moved)), paths(moved)
    assert [f.render() for f in first.findings] == [f.render() for f in again.findings]
    # A rule that is wrong stays wrong however often it was seen right in another place.
    broken = check_policy({"rules": [UNTAGGED, {**ANY, "selection": {**ANY["selection"], "countNumber": 0}}]})
    assert broken.policy is None and any(f.path.startswith("rules[1].selection.countNumber") for f in broken.errors)
