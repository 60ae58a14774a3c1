"""Preview a fleet: group each target's images by repository, find each one's policy, evaluate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview.engine import evaluate
from ecr_lifecycle.core.preview.forecast import Upcoming, forecast
from ecr_lifecycle.core.preview.inventory import Image, InventoryError
from ecr_lifecycle.core.preview.results import RepositoryPreview, Totals

_digest = attrgetter("digest")
_repository = attrgetter("repository")

# (target, repository) -> (policy, canonical text), or None when no policy applies
PolicyLookup = Callable[[str | None, str], "tuple[Policy, str] | None"]


@dataclass(frozen=True)
class Unmanaged:
    target: str | None
    repository: str


@dataclass(frozen=True)
class FleetPreview:
    repositories: tuple[RepositoryPreview, ...]  # sorted by target, then name
    unmanaged: tuple[Unmanaged, ...]  # repositories in the inventory that no policy covers
    upcoming: tuple[Upcoming, ...] = ()  # with a horizon: what later daily runs do, first day each

    @property
    def targets(self) -> tuple[str | None, ...]:
        return tuple(dict.fromkeys(r.target for r in self.repositories))

    def totals(self) -> Totals:
        return Totals.of(r.impact for r in self.repositories)


def group_by_repository(images: Iterable[Image]) -> dict[str, list[Image]]:
    """Images by repository; a digest listed twice in one repository is an ``InventoryError``."""
    grouped: dict[str, list[Image]] = defaultdict(list)
    # By runs: inventories list a repository's images together (describe-images reads one repository at a
    # time, and our loader groups them), so this is one step per repository rather than per image.
    for repository, run in groupby(images, _repository):
        grouped[repository].extend(run)
    for repository, repo_images in grouped.items():
        if len(set(map(_digest, repo_images))) != len(repo_images):
            raise InventoryError(f"repository {repository}: an image digest is listed more than once")
    return grouped


def preview_fleet(
    images_by_target: Mapping[str | None, Sequence[Image]],
    lookup: PolicyLookup,
    now: float,
    horizon_days: int = 0,
    encode_results: bool = False,
) -> FleetPreview:
    """Every repository of every target, each under the policy ``lookup`` gives it (target, name); with a
    horizon, also what the next ``horizon_days`` daily runs would do to the images kept today.
    ``encode_results``: build each repository's AWS-shaped results as it is evaluated (for JSON output)."""
    previews = []
    unmanaged = []
    upcoming: list[Upcoming] = []
    for target, images in sorted(images_by_target.items(), key=lambda kv: kv[0] or ""):
        grouped = group_by_repository(images)
        for repository in sorted(grouped):
            repo_images = grouped[repository]
            found = lookup(target, repository)
            if found is None:
                unmanaged.append(Unmanaged(target, repository))
                continue
            policy, text = found
            decisions = evaluate(policy, repo_images, now)
            preview = RepositoryPreview(target, repository, text, tuple(repo_images), tuple(decisions))
            # While this repository's images are still in the CPU's caches (a third cheaper than later).
            preview.impact  # noqa: B018
            if encode_results:
                preview.preview_results_json  # noqa: B018
            previews.append(preview)
            if horizon_days:
                later = forecast(policy, repo_images, now, horizon_days, decisions)
                upcoming += [Upcoming(target, d, when) for d, when in later]
    return FleetPreview(tuple(previews), tuple(unmanaged), tuple(upcoming))
