"""Detect drift: what each target's registry holds against what the config wants."""

from __future__ import annotations

from collections.abc import Mapping

from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.report.drift import Drift, DriftReport, find_drift

# target -> repository -> live policy text (None: the repository has no policy)
LivePolicies = Mapping[str, Mapping[str, str | None]]


def detect_drift(fleet: Fleet, live: LivePolicies) -> DriftReport:
    drifts: list[Drift] = []
    for target in fleet.targets:
        if target.name in live:
            drifts += find_drift(fleet, target.name, live[target.name])
    return DriftReport(sum(len(v) for v in live.values()), tuple(drifts))
