"""Detect drift: what each target's registry holds against what the config wants."""

from __future__ import annotations

from collections.abc import Mapping

from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.report.drift import DriftReport, find_drift, merge

# target -> repository -> live policy text (None: the repository has no policy)
LivePolicies = Mapping[str, Mapping[str, str | None]]


def detect_drift(fleet: Fleet, live: LivePolicies) -> DriftReport:
    return merge([find_drift(fleet, t.name, live[t.name]) for t in fleet.targets if t.name in live])
