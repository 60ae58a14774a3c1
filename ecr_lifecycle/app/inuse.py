"""Collect the images in use from workloads (so far: Kubernetes objects as ``kubectl … -o json`` prints them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecr_lifecycle.core.inuse.kubernetes import images_in_use
from ecr_lifecycle.core.inuse.model import InUse, merge


def collect_in_use(kubernetes: Sequence[tuple[str, Any]], rollback_revisions: int = 5) -> list[InUse]:
    """``kubernetes``: (file name, decoded ``kubectl get … -A -o json`` document) pairs."""
    found = [pair for name, doc in kubernetes for pair in images_in_use([doc], rollback_revisions)]
    return merge(found, "kubernetes")
