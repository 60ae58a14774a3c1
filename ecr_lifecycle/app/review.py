"""Review a config change: compare two fleets, and with an inventory measure what changes and guard it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.app.preview import assign_targets, registries
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.preview.guards import ImageRef, in_use_hits
from ecr_lifecycle.core.preview.inventory import Image, InventoryError
from ecr_lifecycle.core.report.review import Review, compare, measure_impact


def review_change(
    base: Fleet | None,
    head: Fleet,
    labels: tuple[str, str],
    images: Mapping[str | None, Sequence[Image]] | None = None,
    now: float = 0.0,
    price_per_gb: float = 0.10,
    in_use: Sequence[ImageRef] = (),
) -> Review:
    """``base`` is None when the config is new in this change. ``images`` (by target; None for the
    fleet's only target) turns on the impact and the in-use guard."""
    changes, templates = compare(base, head)
    if images is None:
        if in_use:
            raise UseCaseError("--in-use needs --images (the inventory to check against)")
        return Review(labels[0], labels[1], changes, templates)
    by_target = {t: list(batch) for t, batch in assign_targets(images, head).items() if t is not None}
    try:
        impact, decisions = measure_impact(base, head, by_target, now, price_per_gb)
    except InventoryError as exc:
        raise UseCaseError(str(exc), Failure.INVALID) from None
    hits = in_use_hits(decisions, in_use, registries(head))
    return Review(labels[0], labels[1], changes, templates, impact, hits)
