"""Checks of one rule on its own: the field constraints and valid combinations of
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html.

Each function is the logic of the check its decorator declares; it reads ``RuleFields`` (what
could be parsed, ``None`` elsewhere) and yields problems. None of them raises on bad input.
"""

from __future__ import annotations

from collections.abc import Iterator

from ecr_lifecycle.core.policy.fields import RuleFields
from ecr_lifecycle.core.policy.findings import API_DOC, ARCHIVE_DOC, Problem, Scope, check
from ecr_lifecycle.core.policy.model import (
    ARCHIVE_MINIMUM_DAYS,
    MAX_WILDCARDS_PER_PATTERN,
    ActionType,
    CountType,
    StorageClass,
    TagStatus,
)

R = Scope.RULE


def _sel(f: RuleFields) -> str:
    return f"{f.path}.selection"


@check("E201", "rulePriority below 1", "DOC", R, "API model min 1 for preview results; server check unknown, we reject")
def priority_at_least_one(f: RuleFields) -> Iterator[Problem]:
    if f.rule_priority is not None and f.rule_priority < 1:
        yield Problem(f"{f.path}.rulePriority", f"must be 1 or more, found {f.rule_priority}")


@check("E202", "countNumber below 1", "DOC", R)
def count_at_least_one(f: RuleFields) -> Iterator[Problem]:
    if f.count_number is not None and f.count_number < 1:
        yield Problem(f"{_sel(f)}.countNumber", f"must be 1 or more (0 is not accepted), found {f.count_number}")


@check("E203", "countUnit given with imageCountMoreThan", "DOC", R)
def no_unit_for_counts(f: RuleFields) -> Iterator[Problem]:
    if f.count_type is CountType.IMAGE_COUNT_MORE_THAN and f.count_unit_given:
        yield Problem(f"{_sel(f)}.countUnit", "remove countUnit: it is only allowed with the since* count types")


@check("E204", "countUnit missing for a since* count type", "DOC", R)
def unit_for_ages(f: RuleFields) -> Iterator[Problem]:
    ct = f.count_type
    if ct is not None and ct.is_age and not f.count_unit_given:
        yield Problem(f"{_sel(f)}.countUnit", f'add "countUnit": "days"; it is required with {ct.value}')


@check("E205", "tagged rule without tagPrefixList or tagPatternList", "DOC+OBS", R)
def tagged_needs_list(f: RuleFields) -> Iterator[Problem]:
    if f.tag_status is TagStatus.TAGGED and f.tag_prefix_list is None and f.tag_pattern_list is None:
        yield Problem(_sel(f), "a tagged rule needs tagPrefixList or tagPatternList (use tagStatus any for all images)")


@check("E206", "Tag list on an untagged or any rule", "DOC", R)
def no_list_unless_tagged(f: RuleFields) -> Iterator[Problem]:
    if f.tag_status in (TagStatus.UNTAGGED, TagStatus.ANY):
        for key, value in (("tagPrefixList", f.tag_prefix_list), ("tagPatternList", f.tag_pattern_list)):
            if value is not None:
                yield Problem(f"{_sel(f)}.{key}", f"remove {key}: tag lists are only allowed with tagStatus tagged")


@check("E207", "Both tagPrefixList and tagPatternList in one rule", "DOC", R)
def one_list_kind(f: RuleFields) -> Iterator[Problem]:
    if f.tag_prefix_list is not None and f.tag_pattern_list is not None:
        yield Problem(_sel(f), "use either tagPrefixList or tagPatternList in one rule, not both")


@check("E208", "More than four '*' wildcards in a pattern", "DOC", R)
def wildcard_limit(f: RuleFields) -> Iterator[Problem]:
    for i, pattern in enumerate(f.tag_pattern_list or ()):
        stars = pattern.count("*")
        if stars > MAX_WILDCARDS_PER_PATTERN:
            yield Problem(
                f"{_sel(f)}.tagPatternList[{i}]",
                f"pattern {pattern!r} has {stars} '*' wildcards; at most {MAX_WILDCARDS_PER_PATTERN} are allowed",
            )


@check("E209", "Empty tag list or empty list entry", "DER", R, "not documented (corpus 050 is uncertain); we reject")
def no_empty_lists(f: RuleFields) -> Iterator[Problem]:
    for key, value in (("tagPrefixList", f.tag_prefix_list), ("tagPatternList", f.tag_pattern_list)):
        if value is None:
            continue
        if not value:
            yield Problem(f"{_sel(f)}.{key}", "empty list: give at least one entry or leave the key out")
        for i, entry in enumerate(value):
            if entry == "":
                yield Problem(f"{_sel(f)}.{key}[{i}]", "empty string entry; give a real prefix or pattern")


@check("E210", "sinceImagePulled with expire", "DOC+OBS", R)
def pulled_only_archives(f: RuleFields) -> Iterator[Problem]:
    if f.count_type is CountType.SINCE_IMAGE_PULLED and f.action_type is ActionType.EXPIRE:
        yield Problem(
            f"{f.path}.action.type",
            'sinceImagePulled can only archive: use "type": "transition" with "targetStorageClass": "archive", '
            "then expire from archive with a sinceImageTransitioned rule",
        )


@check("E211", "sinceImageTransitioned without storageClass archive", "DOC+OBS", R)
def transitioned_needs_archive_class(f: RuleFields) -> Iterator[Problem]:
    if f.count_type is not CountType.SINCE_IMAGE_TRANSITIONED or f.storage_class is StorageClass.ARCHIVE:
        return
    if f.storage_class_given is False or f.storage_class:
        yield Problem(f"{_sel(f)}.storageClass", 'sinceImageTransitioned needs "storageClass": "archive"')


@check("E212", "sinceImageTransitioned with an action other than expire", "DOC", R)
def transitioned_only_expires(f: RuleFields) -> Iterator[Problem]:
    action = f.action_type
    if f.count_type is CountType.SINCE_IMAGE_TRANSITIONED and action is not None and action is not ActionType.EXPIRE:
        yield Problem(f"{f.path}.action.type", 'sinceImageTransitioned rules can only "expire" archived images')


@check(
    "E216",
    "Archived images expired before 90 days",
    "DER",
    R,
    "exact server error unknown; we reject countNumber < 90",
    docs=ARCHIVE_DOC,
)
def archive_minimum(f: RuleFields) -> Iterator[Problem]:
    n = f.count_number
    expires_archive = f.count_type is CountType.SINCE_IMAGE_TRANSITIONED and f.action_type is ActionType.EXPIRE
    if expires_archive and n is not None and 1 <= n < ARCHIVE_MINIMUM_DAYS:
        yield Problem(
            f"{_sel(f)}.countNumber",
            f"archived images must stay {ARCHIVE_MINIMUM_DAYS} days before a lifecycle rule may delete them; "
            f"use {ARCHIVE_MINIMUM_DAYS} or more (found {n})",
        )


@check("E215", "storageClass archive with a count type other than sinceImageTransitioned", "DOC", R)
def archive_class_by_transition_age(f: RuleFields) -> Iterator[Problem]:
    ct = f.count_type
    if ct is not None and ct is not CountType.SINCE_IMAGE_TRANSITIONED and f.storage_class is StorageClass.ARCHIVE:
        yield Problem(
            f"{_sel(f)}.storageClass",
            f"{ct.value} only works on standard images; archived images are selected with sinceImageTransitioned",
        )


@check("E213", "transition without targetStorageClass", "DOC+OBS", R)
def transition_needs_target(f: RuleFields) -> Iterator[Problem]:
    if f.action_type is ActionType.TRANSITION and not f.target_given:
        yield Problem(f"{f.path}.action.targetStorageClass", 'a transition needs "targetStorageClass": "archive"')


@check("E214", "targetStorageClass on an expire action", "DOC+OBS", R)
def expire_has_no_target(f: RuleFields) -> Iterator[Problem]:
    if f.action_type is ActionType.EXPIRE and f.target_given:
        yield Problem(
            f"{f.path}.action.targetStorageClass", "remove targetStorageClass: it is only allowed with transition"
        )


API_INT_MAX = 2**31 - 1  # rulePriority and countNumber are 32-bit integers in the ECR API
MAX_TAG_LENGTH = 128  # Docker/ECR tags: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}


@check("E217", "Number beyond the API's 32-bit integer range", "DOC", R, docs=API_DOC)
def within_api_integers(f: RuleFields) -> Iterator[Problem]:
    for key, value in (("rulePriority", f.rule_priority), ("selection.countNumber", f.count_number)):
        if value is not None and value > API_INT_MAX:
            yield Problem(f"{f.path}.{key}", f"{value} is larger than {API_INT_MAX:,}, the API's largest integer")


@check(
    "E218",
    "Tag list entry no valid tag can match",
    "DER",
    R,
    "AWS's verdict on such an entry is unknown; a rule that can never select an image is a mistake, so we reject it",
)
def matchable_entries(f: RuleFields) -> Iterator[Problem]:
    for key, values, is_pattern in (
        ("tagPrefixList", f.tag_prefix_list, False),
        ("tagPatternList", f.tag_pattern_list, True),
    ):
        for i, entry in enumerate(values or ()):
            literal = entry.replace("*", "") if is_pattern else entry
            if len(literal) > MAX_TAG_LENGTH:
                yield Problem(
                    f"{_sel(f)}.{key}[{i}]",
                    f"needs tags of at least {len(literal)} characters; tags have at most {MAX_TAG_LENGTH}",
                )


# In the order their findings are reported for a rule.
CHECKS = (
    within_api_integers,
    priority_at_least_one,
    count_at_least_one,
    no_unit_for_counts,
    unit_for_ages,
    tagged_needs_list,
    no_list_unless_tagged,
    one_list_kind,
    no_empty_lists,
    wildcard_limit,
    matchable_entries,
    pulled_only_archives,
    transitioned_needs_archive_class,
    transitioned_only_expires,
    archive_minimum,
    archive_class_by_transition_age,
    transition_needs_target,
    expire_has_no_target,
)
