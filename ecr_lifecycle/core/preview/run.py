"""Preview a whole inventory: group images by repository, find each one's policy, evaluate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview.engine import evaluate
from ecr_lifecycle.core.preview.inventory import Image, InventoryError
from ecr_lifecycle.core.preview.report import RepositoryPreview

# repository name -> (policy, canonical text), or None when no policy applies
PolicyLookup = Callable[[str], "tuple[Policy, str] | None"]


@dataclass(frozen=True)
class FleetPreview:
    repositories: tuple[RepositoryPreview, ...]  # sorted by name
    unmanaged: tuple[str, ...]  # repositories in the inventory that no policy covers


def group_by_repository(images: Iterable[Image]) -> dict[str, list[Image]]:
    grouped: dict[str, list[Image]] = defaultdict(list)
    for image in images:
        grouped[image.repository].append(image)
    return grouped


def preview(images: Iterable[Image], lookup: PolicyLookup, now: float) -> FleetPreview:
    previews = []
    unmanaged = []
    for repository, repo_images in sorted(group_by_repository(images).items()):
        found = lookup(repository)
        if found is None:
            unmanaged.append(repository)
            continue
        if len({i.digest for i in repo_images}) != len(repo_images):
            raise InventoryError(f"repository {repository}: an image digest is listed more than once")
        policy, text = found
        decisions = evaluate(policy, repo_images, now)
        previews.append(RepositoryPreview(repository, text, tuple(repo_images), tuple(decisions)))
    return FleetPreview(tuple(previews), tuple(unmanaged))
