"""Drift: live lifecycle policies against the desired ones, with the provider's notion of equivalence.

Three groups, worded by what the next deploy really does: managed repositories whose policy differs
or is missing (the deploy changes them: drift), and repositories no entry manages that have a policy
(the deploy never touches them: listed, not drift). Entries marked ``adopt: true`` get their own
notes: one whose live policy is gone makes the next plan fail; one that is in sync can drop the flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ecr_lifecycle.core.config.model import Fleet, RepositoryEntry
from ecr_lifecycle.core.policy.check import check_policy_text
from ecr_lifecycle.core.policy.equivalence import equivalent_policy_texts
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.report.rulediff import RuleChange, diff_rules


class DriftKind(StrEnum):
    MISSING = "missing"  # managed, no live policy: the next deploy puts it
    DIFFERENT = "different"  # managed, live differs: the next deploy replaces it
    UNMANAGED = "unmanaged"  # a live policy no entry manages: the next deploy leaves it


@dataclass(frozen=True)
class Drift:
    target: str
    repository: str
    kind: DriftKind
    live: str | None
    desired: str | None
    changes: tuple[RuleChange, ...]  # from live to desired: what the next deploy does (none if unmanaged)
    entry: RepositoryEntry | None = None


@dataclass(frozen=True)
class DriftReport:
    checked: int  # repositories read
    drifts: tuple[Drift, ...]  # managed repositories the next deploy changes
    unmanaged: tuple[Drift, ...] = ()  # live policies no entry manages
    adopt_failing: tuple[Drift, ...] = ()  # ``adopt: true`` with nothing live to import: the plan fails
    adopt_done: tuple[RepositoryEntry, ...] = ()  # ``adopt: true`` entries already in sync: the flag can go

    @property
    def in_sync(self) -> int:
        return self.checked - len(self.drifts) - len(self.unmanaged)

    def drifted(self, strict: bool = False) -> bool:
        return bool(self.drifts or (strict and self.unmanaged))


def _policy(text: str | None) -> Policy | None:
    if text is None:
        return None
    return check_policy_text(text).policy


def find_drift(fleet: Fleet, target: str, live: Mapping[str, str | None]) -> DriftReport:
    """Compare one target's live policies (by repository) with what the config wants."""
    drifts, unmanaged, failing, done = [], [], [], []
    for repository, live_text in sorted(live.items()):
        entry = fleet.entry_for(target, repository)
        desired = entry.composed.text if entry is not None else None
        if desired is None:
            if live_text is not None:
                unmanaged.append(Drift(target, repository, DriftKind.UNMANAGED, live_text, None, ()))
            continue
        if live_text is not None and equivalent_policy_texts(live_text, desired):
            if entry is not None and entry.adopt:
                done.append(entry)
            continue
        kind = DriftKind.MISSING if live_text is None else DriftKind.DIFFERENT
        drift = Drift(
            target, repository, kind, live_text, desired, tuple(diff_rules(_policy(live_text), _policy(desired))), entry
        )
        drifts.append(drift)
        if kind is DriftKind.MISSING and entry is not None and entry.adopt:
            failing.append(drift)
    return DriftReport(len(live), tuple(drifts), tuple(unmanaged), tuple(failing), tuple(done))


def merge(reports: list[DriftReport]) -> DriftReport:
    return DriftReport(
        sum(r.checked for r in reports),
        tuple(d for r in reports for d in r.drifts),
        tuple(d for r in reports for d in r.unmanaged),
        tuple(d for r in reports for d in r.adopt_failing),
        tuple(e for r in reports for e in r.adopt_done),
    )
