"""The review report: what a config change does, entry by entry and rule by rule.

Both sides are fleets loaded by the same code. Entries pair up by target and by what
they select (an exact name, or a pattern); a pair whose policies are equivalent is not
a change. Each change says its cause: the entry itself was edited, or only templates it
uses changed (then the summary says how many entries each touches). With an inventory,
each repository is previewed on both sides and the difference counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ecr_lifecycle.core.config.model import CreationTemplate, Fleet, RepositoryEntry
from ecr_lifecycle.core.policy.equivalence import equivalent_policy_texts
from ecr_lifecycle.core.policy.model import ActionType
from ecr_lifecycle.core.preview.engine import Decision, evaluate
from ecr_lifecycle.core.preview.fleet import group_by_repository
from ecr_lifecycle.core.preview.guards import InUseHit
from ecr_lifecycle.core.preview.inventory import Image
from ecr_lifecycle.core.preview.results import savings_per_month
from ecr_lifecycle.core.report.rulediff import ChangeKind, RuleChange, diff_rules

Entry = RepositoryEntry | CreationTemplate


@dataclass(frozen=True)
class EntryChange:
    target: str
    entry: str  # "payments/api", "pattern team-a/*", "creation template ROOT"
    kind: ChangeKind
    templates: tuple[str, ...]  # the changed templates that alone explain it; () when the entry was edited
    rules: tuple[RuleChange, ...]

    @property
    def cause(self) -> str:
        return "template " + ", ".join(self.templates) if self.templates else "config"


@dataclass(frozen=True)
class RepositoryImpact:
    target: str
    repository: str
    newly_expired: tuple[Decision, ...]
    no_longer_expired: int
    newly_archived: tuple[Decision, ...]

    @property
    def freed_bytes(self) -> int:
        return sum(d.image.size for d in self.newly_expired)


@dataclass(frozen=True)
class ImpactReport:
    repositories: tuple[RepositoryImpact, ...]
    reach: Mapping[tuple[str, str], int]  # (target, entry) -> inventory repositories it covers, either side
    price_per_gb: float

    @property
    def newly_expired(self) -> int:
        return sum(len(i.newly_expired) for i in self.repositories)

    @property
    def newly_archived(self) -> int:
        return sum(len(i.newly_archived) for i in self.repositories)

    @property
    def no_longer_expired(self) -> int:
        return sum(i.no_longer_expired for i in self.repositories)

    @property
    def freed_bytes(self) -> int:
        return sum(i.freed_bytes for i in self.repositories)

    @property
    def savings(self) -> float:
        return savings_per_month(self.freed_bytes, self.price_per_gb)


@dataclass(frozen=True)
class Review:
    base: str
    head: str
    changes: tuple[EntryChange, ...]
    template_changes: tuple[tuple[str, int], ...]  # (changed template, entries whose policy it changed), by name
    impact: ImpactReport | None = None
    in_use: tuple[InUseHit, ...] = ()

    def counts(self) -> Counter[ChangeKind]:
        return Counter(c.kind for c in self.changes)

    def reach(self, change: EntryChange) -> int:
        return self.impact.reach.get((change.target, change.entry), 0) if self.impact is not None else 0

    def template_reach(self, template: str) -> int:
        """Inventory repositories whose policy changes only because ``template`` changed."""
        return sum(self.reach(c) for c in self.changes if template in c.templates)


def _entries(fleet: Fleet | None) -> dict[tuple[str, str], Entry]:
    if fleet is None:
        return {}
    out: dict[tuple[str, str], Entry] = {}
    for entry in fleet.repositories:
        out[(entry.target, entry.label)] = entry
    for template in fleet.creation_templates:
        out[(template.target, f"creation template {template.prefix}")] = template
    return out


def _templates_to_blame(old: Entry, new: Entry) -> tuple[str, ...]:
    """The templates whose rules, as this entry expands them, changed; () when the entry itself was edited."""
    if old.composed.recipe != new.composed.recipe:
        return ()
    before = dict(old.composed.template_outputs)
    return tuple(name for name, digest in new.composed.template_outputs if before.get(name) != digest)


def compare(base: Fleet | None, head: Fleet) -> tuple[tuple[EntryChange, ...], tuple[tuple[str, int], ...]]:
    """Every entry whose policy differs, and how many entries each changed template alone explains."""
    old_entries, new_entries = _entries(base), _entries(head)
    changes: list[EntryChange] = []
    for key in sorted(set(old_entries) | set(new_entries)):
        old, new = old_entries.get(key), new_entries.get(key)
        if old is None and new is not None:
            changes.append(EntryChange(*key, ChangeKind.ADDED, (), tuple(diff_rules(None, new.composed.policy))))
        elif new is None and old is not None:
            changes.append(EntryChange(*key, ChangeKind.REMOVED, (), tuple(diff_rules(old.composed.policy, None))))
        elif old is not None and new is not None and not equivalent_policy_texts(old.composed.text, new.composed.text):
            rules = tuple(diff_rules(old.composed.policy, new.composed.policy))
            only_renumbered = rules and all(r.kind is ChangeKind.RENUMBERED for r in rules)
            kind = ChangeKind.RENUMBERED if only_renumbered else ChangeKind.CHANGED
            changes.append(EntryChange(*key, kind, _templates_to_blame(old, new), rules))
    templates = Counter(t for c in changes for t in c.templates)
    return tuple(changes), tuple(sorted(templates.items()))


def measure_impact(
    base: Fleet | None, head: Fleet, images_by_target: Mapping[str, Sequence[Image]], now: float, price_per_gb: float
) -> tuple[ImpactReport, dict[tuple[str | None, str], list[Decision]]]:
    """Preview every inventory repository on both sides and keep the differences; also the head's decisions
    by (target, repository), for the in-use guard."""
    impact = []
    head_decisions: dict[tuple[str | None, str], list[Decision]] = {}
    reach: Counter[tuple[str, str]] = Counter()
    for target, images in sorted(images_by_target.items()):
        for repository, repo_images in sorted(group_by_repository(images).items()):
            sides = []
            labels = set()
            for fleet in (base, head):
                entry = fleet.entry_for(target, repository) if fleet is not None and target in fleet.plans else None
                sides.append(evaluate(entry.composed.policy, repo_images, now) if entry is not None else [])
                if entry is not None:
                    labels.add(entry.label)
            reach.update((target, label) for label in labels)
            head_decisions[(target, repository)] = sides[1]
            before = {d.image.digest: d for d in sides[0]}
            after = {d.image.digest: d for d in sides[1]}
            expire = ActionType.EXPIRE
            expired = tuple(
                d
                for k, d in after.items()
                if d.action is expire and (k not in before or before[k].action is not expire)
            )
            archived = tuple(d for k, d in after.items() if d.action is ActionType.TRANSITION and k not in before)
            gone = sum(
                1 for k, d in before.items() if d.action is expire and (k not in after or after[k].action is not expire)
            )
            if expired or archived or gone:
                impact.append(RepositoryImpact(target, repository, expired, gone, archived))
    return ImpactReport(tuple(impact), dict(reach), price_per_gb), head_decisions
