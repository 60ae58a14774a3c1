"""Plan every stack: which stacks a selection names, and the summary of their plans."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from ecr_lifecycle.app.errors import UseCaseError
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.report.plan import StackSummary


def select_stacks(fleet: Fleet, globs: Sequence[str]) -> tuple[str, ...]:
    """The stacks (one per target) the globs name, in config order; all of them without globs."""
    names = fleet.target_names
    if not globs:
        return names
    chosen = tuple(n for n in names if any(fnmatch.fnmatchcase(n, g) for g in globs))
    unmatched = [g for g in globs if not any(fnmatch.fnmatchcase(n, g) for n in names)]
    if unmatched:
        raise UseCaseError(f"no stack matches {', '.join(map(repr, unmatched))} (stacks: {', '.join(names)})")
    return chosen


@dataclass(frozen=True)
class PlanReport:
    stacks: tuple[StackSummary, ...]

    @property
    def changes(self) -> bool:
        return any(s.changes for s in self.stacks)


def github_matrix(stacks: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """What ``strategy.matrix`` takes through ``fromJSON``: one job per stack."""
    return {"include": [{"stack": s} for s in stacks]}
