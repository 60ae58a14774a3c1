"""Read a registry's images through boto3, in ``describe-images`` shape, with index children resolved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ecr_lifecycle.core.preview.inventory import CHILDREN_FIELD

INDEX_MEDIA_TYPES = {
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def repository_names(client: Any) -> list[str]:
    names: list[str] = []
    for page in client.get_paginator("describe_repositories").paginate():
        names.extend(r["repositoryName"] for r in page["repositories"])
    return sorted(names)


def describe_images(client: Any, repository: str) -> list[dict[str, Any]]:
    """Every image, archived ones included (``imageStatus: ANY`` where the endpoint knows it)."""
    paginator = client.get_paginator("describe_images")
    try:
        pages = list(paginator.paginate(repositoryName=repository, filter={"imageStatus": "ANY"}))
    except client.exceptions.InvalidParameterException:
        pages = list(paginator.paginate(repositoryName=repository))  # endpoints without the archive API
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


def read_registry(client: Any, progress: Callable[[str, int, int], None] | None = None) -> list[dict[str, Any]]:
    names = repository_names(client)
    details: list[dict[str, Any]] = []
    for n, name in enumerate(names, 1):
        details.extend(describe_images(client, name))
        if progress:
            progress(name, n, len(names))
    return details
