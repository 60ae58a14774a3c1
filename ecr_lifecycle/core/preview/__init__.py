"""Offline preview: which images a policy would expire or archive (ECR's evaluation, simulated)."""
