"""Helpers for the demo, tests and benchmarks: synthetic inventories and fleets, a local ECR endpoint."""
