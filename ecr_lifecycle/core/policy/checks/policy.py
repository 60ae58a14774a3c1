"""Checks across the rules of one policy (per storage class), and of the text sent to AWS.

Sources: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
("Lifecycle policy evaluation rules") and the API's limits on ``lifecyclePolicyText``. Every
check here is linear in the number of rules, so a hostile 50,000-rule document stays cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from ecr_lifecycle.core.policy.fields import RuleFields
from ecr_lifecycle.core.policy.findings import API_DOC, POLICIES_DOC, Problem, Scope, check
from ecr_lifecycle.core.policy.model import MAX_POLICY_CHARS, MAX_RULES, MIN_POLICY_CHARS, StorageClass, TagStatus

P = Scope.POLICY


def _by_class(all_fields: Sequence[RuleFields]) -> dict[StorageClass, list[RuleFields]]:
    by_class: dict[StorageClass, list[RuleFields]] = defaultdict(list)
    for f in all_fields:
        if f.tag_status is not None and (f.storage_class is not None or not f.storage_class_given):
            by_class[f.effective_storage_class].append(f)
    return by_class


@check("E301", "Duplicate rulePriority", "DOC", P, docs=POLICIES_DOC)
def unique_priorities(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    by_priority: dict[int, list[RuleFields]] = defaultdict(list)
    for f in all_fields:
        if f.rule_priority is not None:
            by_priority[f.rule_priority].append(f)
    for priority, group in sorted(by_priority.items()):
        if len(group) > 1:
            where = ", ".join(g.path for g in group)
            yield Problem(
                group[1].path + ".rulePriority", f"rulePriority {priority} is used by {where}; make each unique"
            )


@check("E302", "'any' rule not last within its storage class", "DOC+OBS", P, docs=POLICIES_DOC)
def any_rule_last(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    for storage_class, group in _by_class(all_fields).items():
        prioritised = [f for f in group if f.rule_priority is not None]
        if not prioritised:
            continue
        top = max(prioritised, key=lambda f: f.rule_priority or 0)
        for a in group:
            if a.tag_status is not TagStatus.ANY or a.rule_priority is None or a is top:
                continue
            if (top.rule_priority or 0) > a.rule_priority:
                yield Problem(
                    a.path + ".rulePriority",
                    f"the 'any' rule must have the highest rulePriority of the {storage_class.value} storage class, "
                    f"but {top.label} comes after it; give the 'any' rule a number above {top.rule_priority}",
                    a.label,
                )


def _one_per_class(all_fields: Sequence[RuleFields], status: TagStatus, what: str, advice: str) -> Iterator[Problem]:
    for storage_class, group in _by_class(all_fields).items():
        same = [f for f in group if f.tag_status is status]
        if len(same) > 1:
            names = ", ".join(f.label for f in same)
            yield Problem(
                same[1].path + ".selection.tagStatus",
                f"only one rule may select {what} images in the {storage_class.value} storage class ({names}); "
                + advice,
            )


@check("E303", "More than one 'any' rule in a storage class", "OBS", P, docs=POLICIES_DOC)
def one_any_rule(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    yield from _one_per_class(
        all_fields, TagStatus.ANY, "'any'", "merge them or make all but the last one tagged/untagged"
    )


@check("E304", "More than one untagged rule in a storage class", "DOC+OBS", P, docs=POLICIES_DOC)
def one_untagged_rule(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    yield from _one_per_class(all_fields, TagStatus.UNTAGGED, "untagged", "merge them")


@check(
    "E305",
    "Two tagged rules with the same tag list in a storage class",
    "DOC",
    P,
    "AWS's exact uniqueness test is unknown; we reject identical lists (as sets) of the same kind. "
    "Stricter readings contradict AWS: corpus 030, accepted, shares the entry 'main' across rules",
    docs=POLICIES_DOC,
)
def distinct_tag_lists(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    for storage_class, group in _by_class(all_fields).items():
        seen: dict[tuple[str, frozenset[str]], RuleFields] = {}
        for f in group:
            if f.tag_status is not TagStatus.TAGGED:
                continue
            for kind, values in (("tagPrefixList", f.tag_prefix_list), ("tagPatternList", f.tag_pattern_list)):
                if not values:
                    continue
                key = (kind, frozenset(values))
                if key in seen:
                    yield Problem(
                        f"{f.path}.selection.{kind}",
                        f"{seen[key].label} already uses {kind} {sorted(values)} in the {storage_class.value} "
                        "storage class; each rule of a storage class needs a distinct tag list (merge the rules)",
                        f.label,
                    )
                else:
                    seen[key] = f


@check("E306", "More than 50 rules", "DOC", P, docs=POLICIES_DOC)
def rule_limit(all_fields: Sequence[RuleFields]) -> Iterator[Problem]:
    if len(all_fields) > MAX_RULES:
        yield Problem("rules", f"{len(all_fields)} rules; a policy may have at most {MAX_RULES}")


@check("E307", "Policy text longer than 30,720 characters", "DOC", Scope.TEXT, docs=API_DOC)
def text_not_too_long(text: str) -> Iterator[Problem]:
    if len(text) > MAX_POLICY_CHARS:
        yield Problem(
            "",
            f"the policy renders to {len(text):,} characters; the limit is {MAX_POLICY_CHARS:,}: remove or merge rules",
        )


@check("E308", "Policy text shorter than 100 characters", "DOC", Scope.TEXT, docs=API_DOC)
def text_not_too_short(text: str) -> Iterator[Problem]:
    if len(text) < MIN_POLICY_CHARS:
        yield Problem(
            "",
            f"the policy renders to {len(text)} characters; the API needs at least {MIN_POLICY_CHARS} "
            "(add a description)",
        )


CHECKS = (rule_limit, unique_priorities, one_any_rule, any_rule_last, one_untagged_rule, distinct_tag_lists)
TEXT_CHECKS = (text_not_too_long, text_not_too_short)
