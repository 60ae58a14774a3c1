"""Warnings: policies AWS accepts but users often regret. Codes W0xx in ``findings.CATALOGUE``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ecr_lifecycle.core.policy.findings import Finding
from ecr_lifecycle.core.policy.model import (
    ARCHIVE_MINIMUM_DAYS,
    ActionType,
    CountType,
    Policy,
    Rule,
    StorageClass,
    TagStatus,
)
from ecr_lifecycle.core.policy.tags import as_pattern, pattern_covers

if TYPE_CHECKING:
    from ecr_lifecycle.core.policy.check import RuleFields


def lint(policy: Policy, fields: Sequence[RuleFields]) -> Iterator[Finding]:
    paths = {f.rule_priority: f for f in fields if f.rule_priority is not None}
    for rule in policy.rules:
        f = paths[rule.rule_priority]
        yield from _lint_rule(rule, f.path, f.storage_class_given)
    yield from _lint_shadowed(policy, paths)
    yield from _lint_any_expires_newest(policy, paths)
    yield from _lint_archive(policy, paths)


def _lint_rule(rule: Rule, path: str, storage_class_given: bool) -> Iterator[Finding]:
    sel = rule.selection
    key = "tagPatternList" if sel.uses_patterns else "tagPrefixList"
    entries = sel.tag_list
    if len(entries) > 1:
        yield Finding(
            "W001",
            f"{path}.selection.{key}",
            f"an image is selected only if its tags match ALL of {list(entries)}, not any one of them; "
            "for 'any of', write one rule per entry",
            rule.label,
        )
    if len(set(entries)) != len(entries):
        yield Finding("W007", f"{path}.selection.{key}", "the list repeats an entry; remove the duplicate", rule.label)
    for i, entry in enumerate(sel.tag_pattern_list):
        if "*" not in entry:
            yield Finding(
                "W008",
                f"{path}.selection.tagPatternList[{i}]",
                f"{entry!r} has no '*', so it matches only the tag {entry!r} exactly; "
                f"write {entry + '*'!r} (or use tagPrefixList) to match tags starting with it",
                rule.label,
            )
    if storage_class_given and sel.storage_class is StorageClass.STANDARD:
        yield Finding(
            "W006",
            f"{path}.selection.storageClass",
            "storageClass standard is the default; it is left out when rendering, since one report says AWS "
            "rejected it explicitly",
            rule.label,
        )
    if sel.count_type is CountType.SINCE_IMAGE_PULLED:
        yield Finding(
            "W004",
            f"{path}.selection.countType",
            "image scanners and other automation can refresh lastRecordedPullTime, keeping images 'recently "
            "pulled'; register pull-time update exclusions for their IAM roles so this rule sees real pulls",
            rule.label,
        )


def _covers(general: Rule, specific: Rule) -> bool:
    """True when every image ``specific`` could select is also a candidate of ``general``."""
    g, s = general.selection, specific.selection
    if g.storage_class is not s.storage_class:
        return False
    if g.tag_status is TagStatus.ANY:
        return True
    if g.tag_status is TagStatus.UNTAGGED:
        return s.tag_status is TagStatus.UNTAGGED
    if s.tag_status is not TagStatus.TAGGED:
        return False
    s_entries = [as_pattern(e, is_pattern=s.uses_patterns) for e in s.tag_list]
    g_entries = [as_pattern(e, is_pattern=g.uses_patterns) for e in g.tag_list]
    # Each entry of the general rule must be satisfied by whatever tag satisfies some specific entry.
    return all(any(pattern_covers(ge, se) for se in s_entries) for ge in g_entries)


def _lint_shadowed(policy: Policy, paths: dict[int, RuleFields]) -> Iterator[Finding]:
    rules = policy.rules
    for i, rule in enumerate(rules):
        for earlier in rules[:i]:
            if _covers(earlier, rule):
                yield Finding(
                    "W002",
                    paths[rule.rule_priority].path,
                    f"never acts: every image it could select is already taken by {earlier.label} "
                    "(images a higher-priority rule matches are never actioned by a lower one); "
                    "narrow the earlier rule or remove this one",
                    rule.label,
                )
                break


def _lint_any_expires_newest(policy: Policy, paths: dict[int, RuleFields]) -> Iterator[Finding]:
    for rule in policy.rules:
        sel = rule.selection
        if sel.tag_status is not TagStatus.ANY or sel.storage_class is not StorageClass.STANDARD:
            continue
        if rule.action.type is not ActionType.EXPIRE or not sel.count_type.is_age:
            continue
        keepers = [
            r
            for r in policy.rules
            if r.rule_priority < rule.rule_priority
            and r.selection.storage_class is StorageClass.STANDARD
            and r.selection.tag_status is TagStatus.TAGGED
            and r.selection.count_type is CountType.IMAGE_COUNT_MORE_THAN
        ]
        if keepers:
            continue
        yield Finding(
            "W003",
            paths[rule.rule_priority].path,
            f"if nothing is pushed for {sel.count_number} days this deletes every image in the repository, the "
            "newest and the one running included; put a tagged imageCountMoreThan rule before it to keep releases",
            rule.label,
        )


def _lint_archive(policy: Policy, paths: dict[int, RuleFields]) -> Iterator[Finding]:
    archive_expiry = [
        r
        for r in policy.rules
        if r.selection.storage_class is StorageClass.ARCHIVE and r.action.type is ActionType.EXPIRE
    ]
    for rule in policy.rules:
        if rule.action.type is not ActionType.TRANSITION:
            continue
        sel = rule.selection
        if archive_expiry:
            days = min(r.selection.count_number for r in archive_expiry)
            when = f"they are deleted no sooner than {days} days after archiving" + (
                f" ({sel.count_number + days} days after {_clock(sel.count_type)})" if sel.count_type.is_age else ""
            )
        else:
            when = "no rule expires archived images, so they are kept (and billed) indefinitely"
        yield Finding(
            "W005",
            paths[rule.rule_priority].path,
            f"archived images are billed for at least {ARCHIVE_MINIMUM_DAYS} days and cannot be lifecycle-deleted "
            f"sooner; {when}; archive storage costs the same as standard below 150 TB, so archiving saves money "
            "only if the images are later expired",
            rule.label,
        )


def _clock(count_type: CountType) -> str:
    return {
        CountType.SINCE_IMAGE_PUSHED: "push",
        CountType.SINCE_IMAGE_PULLED: "the last pull",
    }.get(count_type, "archiving")
