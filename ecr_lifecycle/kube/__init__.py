"""Kubernetes adapter: read workloads from an API server (the ``kubernetes`` client, when installed)."""
