"""Match the rules of two policies by meaning, not by priority number, and word each difference.

Pairing, in order: the same selection and the same kind of threshold and action (a number
or description changed); then the same storage class and tag status with one rule left on
each side (its list, threshold kind or action changed). Whatever is left was added or removed.
A pair whose only difference is the priority number reads as a renumbering.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

from ecr_lifecycle.core.policy.model import Policy, Rule
from ecr_lifecycle.core.report.wording import action_words, describe, list_words, selection_words, threshold_words


class ChangeKind(StrEnum):
    """What happened to a rule, or to an entry's policy as a whole."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    RENUMBERED = "renumbered"  # same meaning, other priority numbers


@dataclass(frozen=True)
class RuleChange:
    kind: ChangeKind
    old: Rule | None
    new: Rule | None
    details: tuple[str, ...] = ()

    def text(self) -> str:
        if self.kind is ChangeKind.ADDED:
            assert self.new is not None
            return f"new rule {self.new.rule_priority}: {describe(self.new)}"
        if self.kind is ChangeKind.REMOVED:
            assert self.old is not None
            return f"removed rule {self.old.rule_priority}: {describe(self.old)}"
        return "; ".join(self.details)


def _identity(rule: Rule) -> Hashable:
    s = rule.selection
    return (s.storage_class, s.tag_status, s.uses_patterns, frozenset(s.tag_list), s.count_type, rule.action)


def _family(rule: Rule) -> Hashable:
    return (rule.selection.storage_class, rule.selection.tag_status)


def _details(old: Rule, new: Rule) -> tuple[str, ...]:
    out = []
    if old.selection.tag_list != new.selection.tag_list or old.selection.uses_patterns != new.selection.uses_patterns:
        out.append(f"{selection_words(old)}: {list_words(old)} → {list_words(new)}")
    if (old.selection.count_type, old.selection.count_number) != (new.selection.count_type, new.selection.count_number):
        out.append(
            f"{selection_words(new)}: {action_words(old)} {threshold_words(old)} → "
            f"{action_words(new)} {threshold_words(new)}"
        )
    elif old.action != new.action:
        out.append(f"{selection_words(new)}: {action_words(old)} → {action_words(new)} {threshold_words(new)}")
    if old.description != new.description:
        out.append(
            f"rule {new.rule_priority} description: {old.description or '(none)'!r} → {new.description or '(none)'!r}"
        )
    if old.rule_priority != new.rule_priority:
        out.append(f"rule {old.rule_priority} → rule {new.rule_priority} ({describe(new)})")
    return tuple(out)


def diff_rules(old: Policy | None, new: Policy | None) -> list[RuleChange]:
    """Every difference between two policies (either may be absent), in the new policy's order."""
    left = list(old.rules) if old else []
    right = list(new.rules) if new else []
    pairs: list[tuple[Rule, Rule]] = []
    for key in (_identity, _family):
        pairs += _pair(left, right, key, unique=key is _family)
    changes = []
    for a, b in pairs:
        if a == b:
            continue
        details = _details(a, b)
        only_number = a.rule_priority != b.rule_priority and len(details) == 1
        changes.append(RuleChange(ChangeKind.RENUMBERED if only_number else ChangeKind.CHANGED, a, b, details))
    changes += [RuleChange(ChangeKind.REMOVED, r, None) for r in left]
    changes += [RuleChange(ChangeKind.ADDED, None, r) for r in right]
    return sorted(changes, key=_order)


def _order(change: RuleChange) -> tuple[int, str]:
    rule = change.new or change.old
    return (rule.rule_priority if rule is not None else 0, change.kind)


def _pair(
    left: list[Rule], right: list[Rule], key: Callable[[Rule], Hashable], unique: bool
) -> list[tuple[Rule, Rule]]:
    pairs = []
    for a in list(left):
        matches = [b for b in right if key(b) == key(a)]
        if not matches or (unique and (len(matches) > 1 or sum(key(x) == key(a) for x in left) > 1)):
            continue
        b = min(matches, key=lambda r: abs(r.rule_priority - a.rule_priority))
        pairs.append((a, b))
        left.remove(a)
        right.remove(b)
    return pairs
