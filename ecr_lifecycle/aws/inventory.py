"""Read a registry's images through boto3, in ``describe-images`` shape, with index children resolved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ecr_lifecycle.aws.reads import ReadScheduler, RegistryReadError
from ecr_lifecycle.aws.session import describe_failure
from ecr_lifecycle.core.preview.inventory import CHILDREN_FIELD

INDEX_MEDIA_TYPES = {
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
}
PAGE = {"PageSize": 1000}  # the largest page both list calls allow: fewest round trips


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def repository_names(client: Any) -> list[str]:
    """Every repository's name, sorted; ``RegistryReadError`` in one line when they cannot be listed."""
    names: list[str] = []
    try:
        for page in client.get_paginator("describe_repositories").paginate(PaginationConfig=PAGE):
            names.extend(r["repositoryName"] for r in page["repositories"])
    except Exception as exc:  # botocore raises many types; all mean "could not read"
        raise RegistryReadError(f"cannot list repositories: {describe_failure(exc)}") from None
    return sorted(names)


def describe_images(client: Any, repository: str) -> list[dict[str, Any]]:
    """Every image, archived ones included (``imageStatus: ANY`` where the endpoint knows it)."""
    paginator = client.get_paginator("describe_images")
    try:
        pages = list(
            paginator.paginate(repositoryName=repository, filter={"imageStatus": "ANY"}, PaginationConfig=PAGE)
        )
    except client.exceptions.InvalidParameterException:  # endpoints without the archive API
        pages = list(paginator.paginate(repositoryName=repository, PaginationConfig=PAGE))
    details = [_jsonable(d) for page in pages for d in page["imageDetails"]]
    indexes = [d for d in details if d.get("imageManifestMediaType") in INDEX_MEDIA_TYPES]
    for start in range(0, len(indexes), 100):
        chunk = indexes[start : start + 100]
        response = client.batch_get_image(
            repositoryName=repository,
            imageIds=[{"imageDigest": d["imageDigest"]} for d in chunk],
            acceptedMediaTypes=sorted(INDEX_MEDIA_TYPES),
        )
        manifests = {i["imageId"]["imageDigest"]: i.get("imageManifest", "{}") for i in response.get("images", [])}
        for d in chunk:
            manifest = json.loads(manifests.get(d["imageDigest"], "{}"))
            d[CHILDREN_FIELD] = [m["digest"] for m in manifest.get("manifests", []) if "digest" in m]
    return details


def read_registry(
    client: Any, progress: Callable[[str, int, int], None] | None = None, scheduler: ReadScheduler | None = None
) -> list[dict[str, Any]]:
    """Every image of every repository, repository by repository in name order (as a sequential read gives
    them), read ``scheduler``'s concurrency at a time."""
    scheduler = scheduler or ReadScheduler()
    scheduler.attach(client)
    names = repository_names(client)
    per_repository = scheduler.map(lambda name: describe_images(client, name), names, _repository, progress)
    return [d for details in per_repository for d in details]


def _repository(name: str) -> str:
    return f"repository {name}"
