"""Drift (pure part): live policies against the config, compared as the Terraform provider compares them."""

from __future__ import annotations

import json

from ecr_lifecycle.app.drift import detect_drift
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.views import drift as views
from tests.test_synth import EXAMPLE


def test_missing_extra_different_and_equivalent() -> None:
    fleet = load_fleet(str(EXAMPLE))
    wanted = fleet.entry_for("local", "payments/api")
    assert wanted is not None
    reordered = json.loads(wanted.composed.text)
    reordered["rules"].reverse()  # rule order is not drift
    changed = json.loads(wanted.composed.text)
    changed["rules"][0]["selection"]["countNumber"] = 30
    live: dict[str, str | None] = {
        "payments/api": json.dumps(reordered),
        "payments/worker": None,  # configured, nothing live
        "web/frontend": json.dumps(changed),  # other rules than configured
        "tools/unmanaged": wanted.composed.text,  # live, not configured
        "team-a/legacy-billing": None,  # neither
    }
    report = detect_drift(fleet, {"local": live})
    assert [(d.repository, d.kind) for d in report.drifts] == [
        ("payments/worker", "missing"),
        ("tools/unmanaged", "extra"),
        ("web/frontend", "different"),
    ]
    text = views.plain_text(report)
    assert "local/payments/worker: missing: the configured policy is not applied" in text
    assert text.endswith("5 repositories checked: 2 in sync, 3 drifted")
    assert "| local | `web/frontend` | different |" in views.markdown(report)
