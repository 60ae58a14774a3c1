"""Stacks: one per target, or N per target with ``shards: N``, plus retired stacks while N changes.

A shard owns the repositories whose name hashes to it: the first 8 hex digits of the name's SHA-256 as a
number, modulo N. Terraform computes the same number (``SHARD_EXPRESSION``) for repositories that patterns
discover at plan time, so a repository lands in the same shard whichever way it was matched.

Changing N moves repositories between Terraform states, which ``moved`` blocks cannot do. While a target
has ``previous_shards: M``, each new shard imports every repository it owns (import blocks are no-ops for
what its state holds already), and one retired stack per old shard points at the old state and forgets it
(``removed`` with ``destroy = false``): no plan destroys a policy. The new shards keep their own state keys
(``-<k>-of-<N>``), so old and new states never overlap.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from ecr_lifecycle.core.config.model import Backend, Fleet, Target, TargetPlan

# Terraform's form of ``shard_of``; ``{name}`` and ``{shards}`` are filled in by the stack.
SHARD_EXPRESSION = "parseint(substr(sha256({name}), 0, 8), 16) % {shards}"


def shard_of(name: str, shards: int) -> int:
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % shards


@dataclass(frozen=True)
class StackPlan:
    """Everything one synthesized stack holds."""

    name: str
    plan: TargetPlan  # named repositories, adopt list and creation templates already cut to this shard
    backend: Backend  # the target's, with this stack's own state key
    shard: int = 0
    shards: int = 1
    import_all: bool = False  # a shard count is changing: import every repository this shard owns
    retired: bool = False  # an old shard's state, forgotten without destroying anything


def state_suffix(shard: int, shards: int) -> str:
    return "" if shards == 1 else f"-{shard}-of-{shards}"


def _with_suffix(backend: Backend, suffix: str) -> Backend:
    if not suffix:
        return backend

    def add(key: str | None) -> str | None:
        if key is None:
            return None
        return key[: -len(".tfstate")] + suffix + ".tfstate" if key.endswith(".tfstate") else key + suffix

    return dataclasses.replace(backend, path=add(backend.path), key=add(backend.key))


def stack_name(target: str, shard: int, shards: int) -> str:
    return target if shards == 1 else f"{target}-{shard}"


def _cut(plan: TargetPlan, shard: int, shards: int) -> TargetPlan:
    if shards == 1:
        return plan
    named = {n: k for n, k in plan.named.items() if shard_of(n, shards) == shard}
    templates = plan.creation_templates if shard == 0 else ()
    keys = set(named.values()) | {p.policy_key for p in plan.patterns} | {t.composed.key for t in templates}
    return dataclasses.replace(
        plan,
        named=named,
        policies={k: v for k, v in plan.policies.items() if k in keys},
        creation_templates=templates,
        adopt=tuple(n for n in plan.adopt if shard_of(n, shards) == shard),
    )


def target_stacks(target: Target, plan: TargetPlan) -> list[StackPlan]:
    migrating = target.previous_shards is not None
    out = [
        StackPlan(
            stack_name(target.name, k, target.shards),
            _cut(plan, k, target.shards),
            _with_suffix(target.backend, state_suffix(k, target.shards)),
            k,
            target.shards,
            import_all=migrating,
        )
        for k in range(target.shards)
    ]
    if target.previous_shards is not None:
        old = target.previous_shards
        for j in range(old):
            out.append(
                StackPlan(
                    f"{target.name}-retired" + ("" if old == 1 else f"-{j}"),
                    _cut(plan, j, old),
                    _with_suffix(target.backend, state_suffix(j, old)),
                    j,
                    old,
                    retired=True,
                )
            )
    return out


def stack_plans(fleet: Fleet) -> dict[str, StackPlan]:
    """Every stack the fleet synthesizes, by name, in config order of their targets."""
    out: dict[str, StackPlan] = {}
    for target in fleet.targets:
        for stack in target_stacks(target, fleet.plans[target.name]):
            out[stack.name] = stack
    return out


def stack_name_clashes(targets: tuple[Target, ...] | list[Target]) -> list[str]:
    """Stack names two targets would both synthesize (``prod`` with 2 shards makes ``prod-1``; a target
    named ``prod-1`` would share its folder and state)."""
    owners: dict[str, str] = {}
    clashes = []
    for target in targets:
        names = [stack_name(target.name, k, target.shards) for k in range(target.shards)]
        if target.previous_shards is not None:
            old = target.previous_shards
            names += [f"{target.name}-retired" + ("" if old == 1 else f"-{j}") for j in range(old)]
        for name in names:
            if name in owners and owners[name] != target.name:
                clashes.append(f"stack {name!r} of target {target.name!r} is also a stack of target {owners[name]!r}")
            owners.setdefault(name, target.name)
    return clashes
