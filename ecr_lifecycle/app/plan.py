"""Plan every stack: which stacks a selection names, and the summary of their plans."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ecr_lifecycle.app.errors import UseCaseError
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.config.shards import stack_plans
from ecr_lifecycle.core.report.plan import StackSummary


def select_stacks(fleet: Fleet, globs: Sequence[str]) -> tuple[str, ...]:
    """The stacks (one per target, or per shard) the globs name, in config order; all of them without globs."""
    names = tuple(stack_plans(fleet))
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


_IMPORT_GONE = re.compile(r'aws_ecr_lifecycle_policy\.this\["([^"]+)"\]')


def explain_failure(fleet: Fleet, stack: str, output: str) -> str | None:
    """What to do when a plan failed on an import of a policy that no longer exists (an ``adopt: true``
    entry whose live policy was deleted after ``import``): name the entry."""
    if "Cannot import non-existent remote object" not in output:
        return None
    repositories = sorted(set(_IMPORT_GONE.findall(output)))
    entries = [e for e in (fleet.entry_for(stack, r) for r in repositories) if e is not None]
    where = "; ".join(f"{e.label} ({e.where})" for e in entries) or ", ".join(repositories) or "an adopted entry"
    return (
        f"stack {stack}: the live policy to import is gone for {where}: remove 'adopt: true' from that entry "
        "(the next deploy then puts the configured policy), or put the policy back"
    )
