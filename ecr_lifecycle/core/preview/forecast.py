"""What ECR's own daily runs will do if nothing changes: images kept today that an age-based rule expires or
archives within a horizon, with the first day it happens. Count rules act as they do today (no image is
pushed in a forecast), so only ages move; one evaluation per day, as ECR runs about once a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview.engine import DAY, Decision, evaluate
from ecr_lifecycle.core.preview.inventory import LATEST_TIME, Image


@dataclass(frozen=True)
class Upcoming:
    target: str | None
    decision: Decision
    when: float  # the first daily evaluation (epoch seconds) at which it happens


def forecast(
    policy: Policy, images: Sequence[Image], now: float, days: int, today: Sequence[Decision] = ()
) -> list[tuple[Decision, float]]:
    """(decision, when) for images that get no decision today and one within ``days`` days."""
    done = {d.image.digest for d in today}
    ages = any(r.selection.count_type.is_age for r in policy.rules)
    out: list[tuple[Decision, float]] = []
    if not ages:
        return out
    for day in range(1, days + 1):
        when = now + day * DAY
        if when > LATEST_TIME:
            break  # the calendar ends with 9999
        for decision in evaluate(policy, images, when):
            if decision.image.digest not in done:
                done.add(decision.image.digest)
                out.append((decision, when))
    return out
