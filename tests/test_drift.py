"""Drift (pure part): live policies against the config, compared as the Terraform provider compares them."""

from __future__ import annotations

import json
from pathlib import Path

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
    # Three groups: managed drift (the next deploy changes it), and unmanaged live policies apart.
    assert [(d.repository, d.kind) for d in report.drifts] == [
        ("payments/worker", "missing"),
        ("web/frontend", "different"),
    ]
    assert [(d.repository, d.kind) for d in report.unmanaged] == [("tools/unmanaged", "unmanaged")]
    assert report.drifted() and report.drifted(strict=True)
    text = views.plain_text(report)
    assert "local/payments/worker: missing: the next deploy puts the configured policy" in text
    assert "local/tools/unmanaged: not managed by the config: the next deploy leaves it as it is" in text
    assert "removed rule" not in text.split("tools/unmanaged")[1]  # never says deploy touches it
    assert text.endswith(
        "5 repositories checked: 2 in sync, 2 drifted (1 without their policy), "
        "1 with a policy the config does not manage"
    )
    assert "| local | `web/frontend` | different |" in views.markdown(report)


def test_unmanaged_policies_alone_are_not_drift_unless_strict() -> None:
    fleet = load_fleet(str(EXAMPLE))
    wanted = fleet.entry_for("local", "payments/api")
    assert wanted is not None
    report = detect_drift(
        fleet, {"local": {"tools/unmanaged": wanted.composed.text, "payments/api": wanted.composed.text}}
    )
    assert not report.drifted() and report.drifted(strict=True)
    assert report.in_sync == 1


def test_adopt_flags_that_fail_the_plan_and_those_that_can_go(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    rule = (
        "rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}, "
        "action: {type: expire}, description: keep the newest five images of all kinds}]"
    )
    config.write_text(
        "version: 1\ntargets: [{name: t, region: us-east-1}]\nrepositories:\n"
        f"  - name: svc/gone\n    adopt: true\n    {rule}\n"
        f"  - name: svc/adopted\n    adopt: true\n    {rule}\n"
    )
    fleet = load_fleet(str(config))
    entry = fleet.entry_for("t", "svc/adopted")
    assert entry is not None
    report = detect_drift(fleet, {"t": {"svc/gone": None, "svc/adopted": entry.composed.text}})
    assert [d.repository for d in report.adopt_failing] == ["svc/gone"]
    assert [e.name for e in report.adopt_done] == ["svc/adopted"]
    text = views.plain_text(report)
    assert "'adopt: true' (" in text and "repositories[0]" in text and "the next plan fails" in text
    assert "1 'adopt: true' flag(s) can be removed" in text and "svc/adopted" in text


def test_a_failed_import_in_a_plan_names_the_adopted_entry(tmp_path: Path) -> None:
    from ecr_lifecycle.app.plan import explain_failure

    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    config.write_text(
        "version: 1\ntargets: [{name: t, region: us-east-1}]\nrepositories:\n  - name: svc/gone\n    adopt: true\n"
        "    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}, "
        "action: {type: expire}, description: keep the newest five images of all kinds}]\n"
    )
    output = (
        "Error: Cannot import non-existent remote object\n\nWhile attempting to import an existing object to "
        '"aws_ecr_lifecycle_policy.this[\\"svc/gone\\"]", the provider detected that no object exists'
    ).replace('\\"', '"')
    message = explain_failure(load_fleet(str(config)), "t", output)
    assert message is not None and "svc/gone (" in message and "repositories[0]" in message
    assert "remove 'adopt: true'" in message
    assert explain_failure(load_fleet(str(config)), "t", "Error: something else") is None
