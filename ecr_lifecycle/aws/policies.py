"""Read every repository's lifecycle policy, concurrently, failing whole rather than partially."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecr_lifecycle.aws.inventory import repository_names
from ecr_lifecycle.aws.reads import ReadScheduler, RegistryReadError

__all__ = ["RegistryReadError", "read_policies"]


def read_policies(
    client: Any, progress: Callable[[str, int, int], None] | None = None, scheduler: ReadScheduler | None = None
) -> dict[str, str | None]:
    """Repository name -> lifecycle policy text (None when the repository has none), sorted by name."""
    scheduler = scheduler or ReadScheduler()
    scheduler.attach(client)
    names = repository_names(client)

    def one(name: str) -> str | None:
        try:
            text: str = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
            return text
        except client.exceptions.LifecyclePolicyNotFoundException:
            return None

    texts = scheduler.map(one, names, lambda name: f"the policy of {name}", progress)
    return dict(zip(names, texts, strict=True))
