"""Plan every stack: which stacks a selection names, and the summary of their plans."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ecr_lifecycle.app.errors import UseCaseError
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.config.shards import stack_plans
from ecr_lifecycle.core.report.plan import StackSummary, error_blocks


def select_stacks(fleet: Fleet, globs: Sequence[str]) -> tuple[str, ...]:
    """The stacks (one per target, or per shard) the globs name, in config order; all of them without globs."""
    stacks = stack_plans(fleet)
    names = tuple(stacks)
    if not globs:
        return names

    def named(stack: str, glob: str) -> bool:
        # A glob names a stack, or a target: then every stack of it (``prod-eu`` with 3 shards is prod-eu-0..2).
        return fnmatch.fnmatchcase(stack, glob) or fnmatch.fnmatchcase(stacks[stack].plan.target.name, glob)

    chosen = tuple(n for n in names if any(named(n, g) for g in globs))
    unmatched = [g for g in globs if not any(named(n, g) for n in names)]
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


_IMPORT_GONE = re.compile(r'aws_ecr_lifecycle_policy\.this\[\\?"([^"\\]+)\\?"\]')  # quotes escaped in a quoted address


def explain_failure(fleet: Fleet, stack: str, output: str) -> str | None:
    """What to do when a plan failed on an import of a policy that no longer exists (an ``adopt: true``
    entry whose live policy was deleted after ``import``): name the entry."""
    gone = [block for block in error_blocks(output) if "Cannot import non-existent remote object" in block]
    if not gone:
        return None
    # Only the addresses Terraform names in those errors: the rest of the output lists every resource planned.
    repositories = sorted({r for block in gone for r in _IMPORT_GONE.findall(block)})
    plan = stack_plans(fleet).get(stack)
    target = plan.plan.target.name if plan is not None else stack
    entries = [e for e in (fleet.entry_for(target, r) for r in repositories) if e is not None]
    where = "; ".join(f"{e.label} ({e.where})" for e in entries) or ", ".join(repositories) or "an adopted entry"
    return (
        f"stack {stack}: the live policy to import is gone for {where}: remove 'adopt: true' from that entry "
        "(the next deploy then puts the configured policy), or put the policy back"
    )
