"""Preview a fleet's images under its policies (or one policy), and check the guards on the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.core.config.model import Fleet, UnknownTarget
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview.fleet import FleetPreview, PolicyLookup, preview_fleet
from ecr_lifecycle.core.preview.guards import GuardReport, ImageRef, in_use_hits, over_expire_limit
from ecr_lifecycle.core.preview.inventory import Image, InventoryError

ImagesByTarget = Mapping[str | None, Sequence[Image]]


def assign_targets(images: ImagesByTarget, fleet: Fleet) -> dict[str | None, list[Image]]:
    """Give images whose target is unknown (``None``) the fleet's only target; refuse names it lacks."""
    out: dict[str | None, list[Image]] = {}
    for target, batch in images.items():
        out.setdefault(pick_target(target, fleet), []).extend(batch)
    return out


def pick_target(target: str | None, fleet: Fleet) -> str:
    if target is not None:
        try:
            return fleet.target(target).name
        except UnknownTarget as exc:
            raise UseCaseError(str(exc)) from None
    if len(fleet.targets) == 1:
        return fleet.targets[0].name
    raise UseCaseError(
        f"the config has {len(fleet.targets)} targets; choose one with --target or lay the inventory out as "
        "DIR/<target>/*.json"
    )


def preview(
    images: ImagesByTarget,
    fleet: Fleet | None,
    single: tuple[Policy, str] | None,
    now: float,
    horizon_days: int = 0,
    encode_results: bool = False,
) -> FleetPreview:
    """Each repository under ``single`` when given, else under the policy its target's config gives it;
    with a horizon, also what the next daily runs would do. ``encode_results``: for JSON output."""
    try:
        if single is None:
            assert fleet is not None, "a preview needs a fleet or a single policy"
            images = assign_targets(images, fleet)
        return preview_fleet(images, _lookup(fleet, single), now, horizon_days, encode_results)
    except InventoryError as exc:
        raise UseCaseError(str(exc), Failure.INVALID) from None


def _lookup(fleet: Fleet | None, single: tuple[Policy, str] | None) -> PolicyLookup:
    if single is not None:
        return lambda _target, _name: single
    assert fleet is not None

    def lookup(target: str | None, repository: str) -> tuple[Policy, str] | None:
        entry = fleet.entry_for(target, repository) if target is not None else None
        return None if entry is None else (entry.composed.policy, entry.composed.text)

    return lookup


def registries(fleet: Fleet | None) -> dict[str | None, tuple[str | None, str | None]]:
    """target -> (account, region): what an ECR image URI must name to concern that target."""
    if fleet is None:
        return {}
    return {t.name: (t.account_id, t.region) for t in fleet.targets}


def check_guards(
    result: FleetPreview, fleet: Fleet | None, in_use: Sequence[ImageRef], max_expire_percent: float | None
) -> GuardReport:
    decisions = {(r.target, r.repository): r.decisions for r in result.repositories}
    later = [(u.target, u.decision, u.when) for u in result.upcoming]
    hits = in_use_hits(decisions, in_use, registries(fleet), later)
    over = over_expire_limit(result, max_expire_percent) if max_expire_percent is not None else ()
    return GuardReport(hits, over)
