"""Collect the images in use from workloads: Kubernetes objects (as ``kubectl … -o json`` prints them) and
what the AWS adapters read from ECS and Lambda."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecr_lifecycle.core.inuse.kubernetes import images_in_use
from ecr_lifecycle.core.inuse.model import InUse, merge
from ecr_lifecycle.core.preview.guards import Usage


def collect_in_use(
    kubernetes: Sequence[tuple[str, Any]],
    rollback_revisions: int = 5,
    found: Sequence[tuple[str, Usage]] = (),
) -> list[InUse]:
    """``kubernetes``: (file name, decoded ``kubectl get … -A -o json`` document) pairs; ``found``: references
    the AWS adapters read (ECS, Lambda), with their usages."""
    pairs = [pair for _, doc in kubernetes for pair in images_in_use([doc], rollback_revisions)]
    return merge([*found, *pairs], "in-use")
