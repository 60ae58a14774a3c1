"""Read every repository's lifecycle policy, in parallel, failing whole rather than partially."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ecr_lifecycle.aws.inventory import repository_names
from ecr_lifecycle.aws.session import describe_failure


class RegistryReadError(Exception):
    """The registry could not be read completely (permissions, throttling after retries, ...)."""


def read_policies(
    client: Any, workers: int = 8, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, str | None]:
    """Repository name -> lifecycle policy text (None when the repository has none)."""
    try:
        names = repository_names(client)
    except Exception as exc:  # botocore raises many types; all mean "could not read"
        raise RegistryReadError(f"cannot list repositories: {describe_failure(exc)}") from None

    def one(name: str) -> tuple[str, str | None]:
        try:
            text: str = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
            return name, text
        except client.exceptions.LifecyclePolicyNotFoundException:
            return name, None
        except Exception as exc:
            raise RegistryReadError(f"cannot read the policy of {name}: {describe_failure(exc)}") from None

    # botocore's adaptive retry mode (see session.py) backs off on throttling within each call.
    out: dict[str, str | None] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, text in pool.map(one, names):
            out[name] = text
            if progress is not None:
                progress(name, len(out), len(names))
    return dict(sorted(out.items()))
