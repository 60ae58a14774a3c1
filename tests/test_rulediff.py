"""Rule-by-rule accounts of a change, matched by meaning rather than priority number."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.core.policy import check_policy
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.report.rulediff import diff_rules
from ecr_lifecycle.core.report.wording import describe
from tests.helpers import policy, rule


def p(*rules: dict[str, Any]) -> Policy:
    result = check_policy(policy(*rules))
    assert result.policy is not None, [f.render() for f in result.errors]
    return result.policy


def texts(old: Policy | None, new: Policy | None) -> list[str]:
    return [c.text() for c in diff_rules(old, new)]


UNTAGGED_7 = rule(1, "untagged", "sinceImagePushed", 7, description="untagged")
KEEP_100 = rule(2, "any", "imageCountMoreThan", 100, description="keep")


def test_describe_words() -> None:
    assert describe(p(UNTAGGED_7).rules[0]) == "untagged images: expire after 7 days"
    assert describe(p(KEEP_100).rules[0]) == "all images: expire beyond the newest 100"
    pulled = p(rule(1, "any", "sinceImagePulled", 90, action="transition", target="archive")).rules[0]
    assert describe(pulled) == "all images: archive not pulled for 90 days"
    releases = p(rule(1, "tagged", patterns=["v*", "rc*"], count=5)).rules[0]
    assert describe(releases) == "images with tags matching all of `v*`, `rc*`: expire beyond the newest 5"


def test_a_changed_number_reads_as_before_and_after() -> None:
    new = rule(1, "untagged", "sinceImagePushed", 3, description="untagged")
    assert texts(p(UNTAGGED_7, KEEP_100), p(new, KEEP_100)) == [
        "untagged images: expire after 7 days → expire after 3 days"
    ]


def test_renumbering_alone_reads_as_renumbering() -> None:
    moved = [dict(UNTAGGED_7, rulePriority=10), dict(KEEP_100, rulePriority=20)]
    changes = diff_rules(p(UNTAGGED_7, KEEP_100), p(*moved))
    assert [c.kind for c in changes] == ["renumbered", "renumbered"]
    assert changes[0].text() == "rule 1 → rule 10 (untagged images: expire after 7 days)"


def test_new_and_removed_rules() -> None:
    archive = rule(3, "any", "sinceImageTransitioned", 180, storage_class="archive")
    assert texts(p(UNTAGGED_7, KEEP_100), p(UNTAGGED_7, KEEP_100, archive)) == [
        "new rule 3: all archived images: expire 180 days after archiving"
    ]
    assert texts(p(UNTAGGED_7, KEEP_100), p(KEEP_100)) == ["removed rule 1: untagged images: expire after 7 days"]
    assert texts(None, p(UNTAGGED_7))[0].startswith("new rule 1")


def test_a_changed_prefix_list_is_matched_to_its_rule() -> None:
    old = rule(1, "tagged", prefixes=["prod"], count=10, description="prod")
    new = rule(1, "tagged", prefixes=["prod", "release"], count=10, description="prod")
    assert texts(p(old), p(new)) == [
        "images with tag prefix `prod`: prefix list `prod` → prefix list `prod`, `release`"
    ]


def test_identical_policies_have_no_changes() -> None:
    assert diff_rules(p(UNTAGGED_7, KEEP_100), p(KEEP_100, UNTAGGED_7)) == []
