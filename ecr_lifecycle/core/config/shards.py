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
from typing import NamedTuple

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


class Slot(NamedTuple):
    """One stack of a target, before its plan is cut: what names it, and which state it uses."""

    name: str
    shard: int
    shards: int
    retired: bool


def stack_slots(target: str, shards: int, previous_shards: int | None) -> list[Slot]:
    """A target's stacks in order: one per shard, then one per old shard while the count changes."""
    slots = [Slot(stack_name(target, k, shards), k, shards, False) for k in range(shards)]
    if previous_shards is not None:
        old = previous_shards
        slots += [Slot(f"{target}-retired" + ("" if old == 1 else f"-{j}"), j, old, True) for j in range(old)]
    return slots


def stack_backend(backend: Backend, slot: Slot) -> Backend:
    """The target's backend with this stack's own state key."""
    return _with_suffix(backend, state_suffix(slot.shard, slot.shards))


def target_stacks(target: Target, plan: TargetPlan) -> list[StackPlan]:
    migrating = target.previous_shards is not None
    return [
        StackPlan(
            slot.name,
            _cut(plan, slot.shard, slot.shards),
            stack_backend(target.backend, slot),
            slot.shard,
            slot.shards,
            import_all=migrating and not slot.retired,
            retired=slot.retired,
        )
        for slot in stack_slots(target.name, target.shards, target.previous_shards)
    ]


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
        for slot in stack_slots(target.name, target.shards, target.previous_shards):
            name = slot.name
            if name in owners and owners[name] != target.name:
                clashes.append(f"stack {name!r} of target {target.name!r} is also a stack of target {owners[name]!r}")
            owners.setdefault(name, target.name)
    return clashes
