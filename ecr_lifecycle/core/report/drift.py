"""Drift: live lifecycle policies against the desired ones, with the provider's notion of equivalence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.policy.check import check_policy_text
from ecr_lifecycle.core.policy.equivalence import equivalent_policy_texts
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.report.rulediff import RuleChange, diff_rules


class DriftKind(StrEnum):
    MISSING = "missing"  # desired, none live
    EXTRA = "extra"  # live, none desired
    DIFFERENT = "different"


@dataclass(frozen=True)
class Drift:
    target: str
    repository: str
    kind: DriftKind
    live: str | None
    desired: str | None
    changes: tuple[RuleChange, ...]  # from live to desired: what the next deploy does


@dataclass(frozen=True)
class DriftReport:
    checked: int  # repositories read
    drifts: tuple[Drift, ...]

    @property
    def in_sync(self) -> int:
        return self.checked - len(self.drifts)


def _policy(text: str | None) -> Policy | None:
    if text is None:
        return None
    return check_policy_text(text).policy


def find_drift(fleet: Fleet, target: str, live: Mapping[str, str | None]) -> list[Drift]:
    """Compare one target's live policies (by repository) with what the config wants."""
    out = []
    for repository, live_text in sorted(live.items()):
        entry = fleet.entry_for(target, repository)
        desired = entry.composed.text if entry is not None else None
        if desired is None and live_text is None:
            continue
        if desired is not None and live_text is not None and equivalent_policy_texts(live_text, desired):
            continue
        kind = DriftKind.MISSING if live_text is None else DriftKind.EXTRA if desired is None else DriftKind.DIFFERENT
        changes = tuple(diff_rules(_policy(live_text), _policy(desired)))
        out.append(Drift(target, repository, kind, live_text, desired, changes))
    return out
