"""Images Kubernetes runs or can roll back to, from ``kubectl get pods,deployments,replicasets,statefulsets,
daemonsets,cronjobs,jobs -A -o json`` output (a List with ``items``), or one object (``kubectl get deployment
api -o json``).

Pods count with every container, init and ephemeral container, and with the digest the kubelet resolved for
each (``status.containerStatuses[].imageID``, and the init and ephemeral ones): a tag may have moved since,
the digest is what runs. Controllers count with their pod template; ReplicaSets only the newest ``keep`` per
Deployment (its rollback window).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ecr_lifecycle.core.preview.guards import Usage

_CONTROLLERS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
_STATUSES = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")


class NotKubectlJson(ValueError):
    """A document that is neither a List with ``items`` nor one object with ``kind``: reading it as "no
    images" would let the guard pass on a file that was never kubectl output."""


def kubectl_items(document: Any) -> list[Any]:
    """The objects of one decoded ``kubectl … -o json`` document, or ``NotKubectlJson``."""
    if isinstance(document, dict):
        items = document.get("items")
        if isinstance(items, list):
            return items
        kind = document.get("kind")
        if "items" not in document and isinstance(kind, str) and kind and not kind.endswith("List"):
            return [document]
    raise NotKubectlJson("expected kubectl JSON: an object with 'kind' or a List with 'items'")


def _containers(pod_spec: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(pod_spec, dict):
        return
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in pod_spec.get(key) or ():
            if isinstance(c, dict) and isinstance(c.get("image"), str):
                yield str(c.get("name") or ""), c["image"]


def _name(item: Mapping[str, Any]) -> str:
    meta = item.get("metadata") or {}
    return f"{meta.get('namespace') or 'default'}/{meta.get('name') or '?'}"


def _resolved(image_id: str) -> str | None:
    """``docker-pullable://repo@sha256:…`` (or a bare ``repo@sha256:…``) -> ``repo@sha256:…``."""
    ref = image_id.split("://", 1)[-1]
    return ref if "@sha256:" in ref else None


def _revision(item: Mapping[str, Any]) -> int:
    value = ((item.get("metadata") or {}).get("annotations") or {}).get("deployment.kubernetes.io/revision", "0")
    return int(value) if str(value).isdigit() else 0


def images_in_use(documents: list[Any], keep: int = 5) -> Iterator[tuple[str, Usage]]:
    """(image reference, usage) for every item of the ``kubectl … -o json`` documents; ``NotKubectlJson`` for a
    document that is no kubectl output."""
    items = [i for doc in documents for i in kubectl_items(doc) if isinstance(i, dict)]
    replica_sets: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        kind, spec = item.get("kind"), item.get("spec") or {}
        if kind == "Pod":
            for container, image in _containers(spec):
                yield image, Usage("Kubernetes Pod", _name(item), f"container {container}")
            pod_status = item.get("status") or {}
            statuses = [s for key in _STATUSES for s in pod_status.get(key) or () if isinstance(s, dict)]
            for status in statuses:
                resolved = _resolved(str(status.get("imageID") or ""))
                if resolved:
                    yield resolved, Usage("Kubernetes Pod", _name(item), f"container {status.get('name')}, running")
        elif kind == "ReplicaSet":
            owners = [
                o for o in (item.get("metadata") or {}).get("ownerReferences") or () if o.get("kind") == "Deployment"
            ]
            owner = (
                f"{(item.get('metadata') or {}).get('namespace') or 'default'}/{owners[0].get('name')}"
                if owners
                else ""
            )
            replica_sets.setdefault(owner or _name(item), []).append(item)
        elif kind in _CONTROLLERS:
            for container, image in _containers((spec.get("template") or {}).get("spec")):
                yield image, Usage(f"Kubernetes {kind}", _name(item), f"container {container}")
        elif kind == "CronJob":
            job = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
            for container, image in _containers(job.get("spec")):
                yield image, Usage("Kubernetes CronJob", _name(item), f"container {container}")
    for deployment, sets in replica_sets.items():
        for rs in sorted(sets, key=_revision, reverse=True)[:keep]:
            for container, image in _containers(((rs.get("spec") or {}).get("template") or {}).get("spec")):
                detail = f"container {container}, revision {_revision(rs)} of {deployment}"
                yield image, Usage("Kubernetes ReplicaSet", _name(rs), detail)
