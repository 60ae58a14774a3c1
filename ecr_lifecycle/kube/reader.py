"""Read pods and the controllers that make them from a Kubernetes API server, in the shape
``kubectl get … -A -o json`` prints, so the core reads both alike."""

from __future__ import annotations

from typing import Any


class KubeError(Exception):
    """The cluster could not be read; one line."""


KINDS = (
    ("Pod", "CoreV1Api", "list_pod_for_all_namespaces"),
    ("Deployment", "AppsV1Api", "list_deployment_for_all_namespaces"),
    ("ReplicaSet", "AppsV1Api", "list_replica_set_for_all_namespaces"),
    ("StatefulSet", "AppsV1Api", "list_stateful_set_for_all_namespaces"),
    ("DaemonSet", "AppsV1Api", "list_daemon_set_for_all_namespaces"),
    ("CronJob", "BatchV1Api", "list_cron_job_for_all_namespaces"),
    ("Job", "BatchV1Api", "list_job_for_all_namespaces"),
)


def read_cluster(context: str | None, kubeconfig: str | None = None) -> dict[str, Any]:
    try:
        from kubernetes import client, config
    except ImportError:
        raise KubeError(
            "--kube-context needs the kubernetes package (pip install kubernetes); or pass kubectl output with "
            "--kubernetes FILE"
        ) from None
    try:
        api = config.new_client_from_config(config_file=kubeconfig, context=context)
        items = []
        for kind, api_name, method in KINDS:
            listed = getattr(getattr(client, api_name)(api), method)()
            for obj in listed.items:
                item = api.sanitize_for_serialization(obj)
                item["kind"] = kind
                items.append(item)
    except Exception as exc:  # config errors, connection errors, API errors: one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise KubeError(f"cannot read the cluster{f' {context!r}' if context else ''}: {first}") from None
    return {"apiVersion": "v1", "kind": "List", "items": items}
