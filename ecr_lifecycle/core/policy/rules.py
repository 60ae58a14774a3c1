"""Semantic checks that AWS enforces: one rule at a time, then across rules.

Every function returns findings and never raises. Codes and sources: ``findings.CATALOGUE``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ecr_lifecycle.core.policy.findings import Finding
from ecr_lifecycle.core.policy.model import (
    ARCHIVE_MINIMUM_DAYS,
    MAX_POLICY_CHARS,
    MAX_RULES,
    MAX_WILDCARDS_PER_PATTERN,
    MIN_POLICY_CHARS,
    ActionType,
    CountType,
    StorageClass,
    TagStatus,
)

if TYPE_CHECKING:
    from ecr_lifecycle.core.policy.check import RuleFields


def check_rule(f: RuleFields) -> Iterator[Finding]:
    """Checks of one rule on its own (sections 1.2 and 1.3 of the reference)."""
    sel = f"{f.path}.selection"
    label = f.label

    def err(code: str, path: str, message: str) -> Finding:
        return Finding(code, path, message, label)

    if f.rule_priority is not None and f.rule_priority < 1:
        yield err("E201", f"{f.path}.rulePriority", f"must be 1 or more, found {f.rule_priority}")
    if f.count_number is not None and f.count_number < 1:
        yield err("E202", f"{sel}.countNumber", f"must be 1 or more (0 is not accepted), found {f.count_number}")

    ct = f.count_type
    if ct is CountType.IMAGE_COUNT_MORE_THAN and f.count_unit_given:
        yield err("E203", f"{sel}.countUnit", "remove countUnit: it is only allowed with the since* count types")
    if ct is not None and ct.is_age and not f.count_unit_given:
        yield err("E204", f"{sel}.countUnit", f'add "countUnit": "days"; it is required with {ct.value}')

    prefixes, patterns = f.tag_prefix_list, f.tag_pattern_list
    if f.tag_status is TagStatus.TAGGED and prefixes is None and patterns is None:
        yield err("E205", sel, "a tagged rule needs tagPrefixList or tagPatternList (use tagStatus any for all images)")
    if f.tag_status in (TagStatus.UNTAGGED, TagStatus.ANY):
        for key, value in (("tagPrefixList", prefixes), ("tagPatternList", patterns)):
            if value is not None:
                yield err("E206", f"{sel}.{key}", f"remove {key}: tag lists are only allowed with tagStatus tagged")
    if prefixes is not None and patterns is not None:
        yield err("E207", sel, "use either tagPrefixList or tagPatternList in one rule, not both")
    for key, value in (("tagPrefixList", prefixes), ("tagPatternList", patterns)):
        if value is None:
            continue
        if not value:
            yield err("E209", f"{sel}.{key}", "empty list: give at least one entry or leave the key out")
        for i, entry in enumerate(value):
            if entry == "":
                yield err("E209", f"{sel}.{key}[{i}]", "empty string entry; give a real prefix or pattern")
    for i, pattern in enumerate(patterns or ()):
        stars = pattern.count("*")
        if stars > MAX_WILDCARDS_PER_PATTERN:
            yield err(
                "E208",
                f"{sel}.tagPatternList[{i}]",
                f"pattern {pattern!r} has {stars} '*' wildcards; at most {MAX_WILDCARDS_PER_PATTERN} are allowed",
            )

    action = f.action_type
    act = f"{f.path}.action"
    if ct is CountType.SINCE_IMAGE_PULLED and action is ActionType.EXPIRE:
        yield err(
            "E210",
            f"{act}.type",
            'sinceImagePulled can only archive: use "type": "transition" with "targetStorageClass": "archive", '
            "then expire from archive with a sinceImageTransitioned rule",
        )
    if ct is CountType.SINCE_IMAGE_TRANSITIONED:
        if f.storage_class is not StorageClass.ARCHIVE and (f.storage_class_given is False or f.storage_class):
            yield err("E211", f"{sel}.storageClass", 'sinceImageTransitioned needs "storageClass": "archive"')
        if action is not None and action is not ActionType.EXPIRE:
            yield err("E212", f"{act}.type", 'sinceImageTransitioned rules can only "expire" archived images')
        if action is ActionType.EXPIRE and f.count_number is not None and 1 <= f.count_number < ARCHIVE_MINIMUM_DAYS:
            yield err(
                "E216",
                f"{sel}.countNumber",
                f"archived images must stay {ARCHIVE_MINIMUM_DAYS} days before a lifecycle rule may delete them; "
                f"use {ARCHIVE_MINIMUM_DAYS} or more (found {f.count_number})",
            )
    elif f.storage_class is StorageClass.ARCHIVE and ct is not None:
        yield err(
            "E215",
            f"{sel}.storageClass",
            f"{ct.value} only works on standard images; archived images are selected with sinceImageTransitioned",
        )
    if action is ActionType.TRANSITION and not f.target_given:
        yield err("E213", f"{act}.targetStorageClass", 'a transition needs "targetStorageClass": "archive"')
    if f.target_given and f.target_storage_class is not None and f.target_storage_class is not StorageClass.ARCHIVE:
        yield err("E106", f"{act}.targetStorageClass", "'archive' is the only allowed targetStorageClass")
    if action is ActionType.EXPIRE and f.target_given:
        yield err("E214", f"{act}.targetStorageClass", "remove targetStorageClass: it is only allowed with transition")


def check_across(all_fields: Sequence[RuleFields]) -> Iterator[Finding]:
    """Checks that involve several rules (section 1.4 of the reference)."""
    if len(all_fields) > MAX_RULES:
        yield Finding("E306", "rules", f"{len(all_fields)} rules; a policy may have at most {MAX_RULES}")

    by_priority: dict[int, list[RuleFields]] = defaultdict(list)
    for f in all_fields:
        if f.rule_priority is not None:
            by_priority[f.rule_priority].append(f)
    for priority, group in sorted(by_priority.items()):
        if len(group) > 1:
            where = ", ".join(g.path for g in group)
            yield Finding(
                "E301", group[1].path + ".rulePriority", f"rulePriority {priority} is used by {where}; make each unique"
            )

    by_class: dict[StorageClass, list[RuleFields]] = defaultdict(list)
    for f in all_fields:
        if f.tag_status is not None and (f.storage_class is not None or not f.storage_class_given):
            by_class[f.effective_storage_class].append(f)
    for storage_class, group in by_class.items():
        yield from _check_class(storage_class, group)


def _check_class(storage_class: StorageClass, group: list[RuleFields]) -> Iterator[Finding]:
    cls = storage_class.value
    anys = [f for f in group if f.tag_status is TagStatus.ANY]
    if len(anys) > 1:
        names = ", ".join(f.label for f in anys)
        yield Finding(
            "E303",
            anys[1].path + ".selection.tagStatus",
            f"only one rule may select 'any' images in the {cls} storage class ({names}); "
            "merge them or make all but the last one tagged/untagged",
        )
    prioritised = [f for f in group if f.rule_priority is not None]
    for a in anys:
        if a.rule_priority is None:
            continue
        later = [
            f for f in prioritised if f is not a and f.rule_priority is not None and f.rule_priority > a.rule_priority
        ]
        if later:
            yield Finding(
                "E302",
                a.path + ".rulePriority",
                f"the 'any' rule must have the highest rulePriority of the {cls} storage class, "
                f"but {later[0].label} comes after it; give the 'any' rule a number above "
                f"{max(f.rule_priority or 0 for f in later)}",
                a.label,
            )
    untagged = [f for f in group if f.tag_status is TagStatus.UNTAGGED]
    if len(untagged) > 1:
        names = ", ".join(f.label for f in untagged)
        yield Finding(
            "E304",
            untagged[1].path + ".selection.tagStatus",
            f"only one rule may select untagged images in the {cls} storage class ({names}); merge them",
        )
    seen: dict[tuple[str, frozenset[str]], RuleFields] = {}
    for f in group:
        if f.tag_status is not TagStatus.TAGGED:
            continue
        for kind, values in (("tagPrefixList", f.tag_prefix_list), ("tagPatternList", f.tag_pattern_list)):
            if not values:
                continue
            key = (kind, frozenset(values))
            if key in seen:
                yield Finding(
                    "E305",
                    f"{f.path}.selection.{kind}",
                    f"{seen[key].label} already uses {kind} {sorted(values)} in the {cls} storage class; "
                    "each rule of a storage class needs a distinct tag list (merge the rules)",
                    f.label,
                )
            else:
                seen[key] = f


def check_length(text: str) -> Iterator[Finding]:
    """The API's limits on the text actually sent (our canonical rendering)."""
    n = len(text)
    if n > MAX_POLICY_CHARS:
        yield Finding(
            "E307",
            "",
            f"the policy renders to {n:,} characters; the limit is {MAX_POLICY_CHARS:,}: remove or merge rules",
        )
    if n < MIN_POLICY_CHARS:
        yield Finding(
            "E308",
            "",
            f"the policy renders to {n} characters; the API needs at least {MIN_POLICY_CHARS} (add a description)",
        )
