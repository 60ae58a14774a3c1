"""``plan``: every stack of a three-target config planned against a local ECR endpoint, in parallel."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest

from devtools.local_ecr import local_ecr
from ecr_lifecycle.aws.session import LOCAL_KEY
from tests.e2e.project import Project, scratch_project
from tests.test_cli_validate import cli

pytestmark = pytest.mark.e2e

REGIONS = {"prod-eu": "eu-west-1", "prod-us": "us-east-1", "dev-us": "us-west-2"}
ENDPOINTS = "{ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}"
TARGETS = "".join(
    f"  - {{name: {name}, region: {region}, endpoints: {ENDPOINTS}}}\n" for name, region in REGIONS.items()
)
CONFIG = (
    "version: 1\ntargets:\n"
    + TARGETS
    + "repositories:\n  - name: app/api\n    templates: [untagged-cleanup, keep-last]\n"
    + "  - pattern: 'team-a/*'\n    templates: [keep-last]\n    params: {keep: 5}\n"
)


def test_plan_every_stack_then_nothing_after_apply(tmp_path: Path) -> None:
    path = scratch_project(tmp_path / "project")
    (path / "repositories.yaml").write_text(CONFIG)
    with local_ecr() as url:
        project = Project(path, url)
        for region in REGIONS.values():
            ecr = boto3.client(
                "ecr",
                endpoint_url=url,
                region_name=region,
                aws_access_key_id=LOCAL_KEY,
                aws_secret_access_key=LOCAL_KEY,
            )
            for name in ("app/api", "team-a/search"):
                ecr.create_repository(repositoryName=name)

        def plan(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"), "-m", "ecr_lifecycle", "plan",
                 *args], cwd=path, env=project.env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip

        first = plan("--parallel", "3", "--out", str(tmp_path / "plans"))
        assert first.returncode == 4, first.stdout + first.stderr
        assert first.stdout.splitlines() == [
            "prod-eu: 2 to add, 0 to change, 0 to destroy",
            "prod-us: 2 to add, 0 to change, 0 to destroy",
            "dev-us: 2 to add, 0 to change, 0 to destroy",
            "3 stack(s) planned: 3 with changes",
        ]
        for stack in REGIONS:
            applied = subprocess.run(
                ["terraform", "apply", "-input=false", "-no-color", str(tmp_path / "plans" / f"{stack}.tfplan")],
                cwd=path / "cdktf.out" / "stacks" / stack, env=project.env, capture_output=True, text=True,
                timeout=600,
            )  # fmt: skip
            assert applied.returncode == 0, applied.stdout + applied.stderr
        second = plan("--format", "json")
        assert second.returncode == 0, second.stdout + second.stderr
        doc = json.loads(second.stdout)
        assert doc["changes"] is False and [s["stack"] for s in doc["stacks"]] == list(REGIONS)
        only = plan("prod-*")
        assert only.returncode == 0 and only.stdout.splitlines()[:2] == ["prod-eu: no changes", "prod-us: no changes"]
        assert plan("nothing-*").returncode == 2
    matrix = cli("stacks", "--config", str(path / "repositories.yaml"), "--format", "github-matrix")
    assert json.loads(matrix.stdout) == {"include": [{"stack": s} for s in REGIONS]}
