"""Warnings: policies AWS accepts but users often regret. Each function is the logic of one ``W`` check,
called with a valid ``Policy`` and the fields of its rules by priority (for JSON paths)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ecr_lifecycle.core.policy.fields import RuleFields
from ecr_lifecycle.core.policy.findings import ARCHIVE_DOC, POLICIES_DOC, Problem, Scope, check
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

L = Scope.LINT
Paths = Mapping[int, RuleFields]


def _list_key(rule: Rule) -> str:
    return "tagPatternList" if rule.selection.uses_patterns else "tagPrefixList"


@check("W001", "Multi-entry tag list: every entry must match (AND), not any", "DOC", L, docs=POLICIES_DOC)
def and_matched_list(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        entries = rule.selection.tag_list
        if len(entries) > 1:
            yield Problem(
                f"{paths[rule.rule_priority].path}.selection.{_list_key(rule)}",
                f"an image is selected only if its tags match ALL of {list(entries)}, not any one of them; "
                "for 'any of', write one rule per entry",
                rule.label,
            )


@check("W007", "Duplicate entry in a tag list", "DER", L)
def repeated_entry(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        entries = rule.selection.tag_list
        if len(set(entries)) != len(entries):
            yield Problem(
                f"{paths[rule.rule_priority].path}.selection.{_list_key(rule)}",
                "the list repeats an entry; remove the duplicate",
                rule.label,
            )


@check("W008", "Pattern without '*' matches one tag exactly", "DOC", L)
def pattern_without_wildcard(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        for i, entry in enumerate(rule.selection.tag_pattern_list):
            if "*" not in entry:
                yield Problem(
                    f"{paths[rule.rule_priority].path}.selection.tagPatternList[{i}]",
                    f"{entry!r} has no '*', so it matches only the tag {entry!r} exactly; "
                    f"write {entry + '*'!r} (or use tagPrefixList) to match tags starting with it",
                    rule.label,
                )


@check(
    "W006",
    "Explicit storageClass standard",
    "DOC",
    L,
    "documented as allowed, but one report of a rejection; rendering omits it (the default)",
)
def explicit_standard(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        fields = paths[rule.rule_priority]
        if fields.storage_class_given and rule.selection.storage_class is StorageClass.STANDARD:
            yield Problem(
                f"{fields.path}.selection.storageClass",
                "storageClass standard is the default; it is left out when rendering, since one report says AWS "
                "rejected it explicitly",
                rule.label,
            )


@check("W004", "sinceImagePulled depends on pull times that scanners may refresh", "DOC+OBS", L, docs=ARCHIVE_DOC)
def pull_time_fooled(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        if rule.selection.count_type is CountType.SINCE_IMAGE_PULLED:
            yield Problem(
                f"{paths[rule.rule_priority].path}.selection.countType",
                "image scanners and other automation can refresh lastRecordedPullTime, keeping images 'recently "
                "pulled'; register pull-time update exclusions for their IAM roles so this rule sees real pulls",
                rule.label,
            )


_TAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


@check("W009", "Tag list entry with characters no Docker tag holds", "DOC", L, docs=POLICIES_DOC)
def impossible_tag_characters(policy: Policy, paths: Paths) -> Iterator[Problem]:
    for rule in policy.rules:
        sel = rule.selection
        for i, entry in enumerate(sel.tag_list):
            bad = sorted({c for c in entry if c not in _TAG_CHARS and not (sel.uses_patterns and c == "*")})
            if bad:
                yield Problem(
                    f"{paths[rule.rule_priority].path}.selection.{_list_key(rule)}[{i}]",
                    f"{entry!r} contains {''.join(bad)!r}, which no tag can hold (tags use letters, digits, _ . -); "
                    "this entry never matches"
                    + (" ('?' and '[' are not wildcards here: only '*' is)" if {"?", "["} & set(bad) else ""),
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


@check("W002", "Rule can never act: higher-priority rules already take every image it could select", "DER", L)
def shadowed_rule(policy: Policy, paths: Paths) -> Iterator[Problem]:
    rules = policy.rules
    for i, rule in enumerate(rules):
        for earlier in rules[:i]:
            if _covers(earlier, rule):
                yield Problem(
                    paths[rule.rule_priority].path,
                    f"never acts: every image it could select is already taken by {earlier.label} "
                    "(images a higher-priority rule matches are never actioned by a lower one); "
                    "narrow the earlier rule or remove this one",
                    rule.label,
                )
                break


@check("W003", "'any' rule can expire the newest images: nothing tagged is kept first", "DER", L)
def any_expires_newest(policy: Policy, paths: Paths) -> Iterator[Problem]:
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
        yield Problem(
            paths[rule.rule_priority].path,
            f"if nothing is pushed for {sel.count_number} days this deletes every image in the repository, the "
            "newest and the one running included; put a tagged imageCountMoreThan rule before it to keep releases",
            rule.label,
        )


@check("W005", "Archived images stay (and are billed) at least 90 days", "DOC", L, docs=ARCHIVE_DOC)
def archive_minimum_stay(policy: Policy, paths: Paths) -> Iterator[Problem]:
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
        yield Problem(
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


CHECKS = (
    and_matched_list,
    repeated_entry,
    pattern_without_wildcard,
    explicit_standard,
    pull_time_fooled,
    shadowed_rule,
    any_expires_newest,
    archive_minimum_stay,
    impossible_tag_characters,
)
