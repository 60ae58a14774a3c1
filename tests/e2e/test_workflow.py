"""The GitHub Actions workflow, executed: its pull-request jobs and its deploy job run step by step
(``tests/workflow_runner.py``) on a two-target config against a local ECR endpoint."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.demo import push_image
from devtools.local_ecr import local_ecr
from ecr_lifecycle.aws.session import LOCAL_KEY
from tests.e2e.project import scratch_project
from tests.workflow_runner import JobRun, Runner, write_shims

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ecr-lifecycle.yml"
JOBS = ["stacks", "plan", "review", "comment", "deploy", "forecast"]
REGIONS = {"prod-eu": "eu-west-1", "prod-us": "us-east-1"}
SECRETS = {
    "AWS_PLAN_ROLE_ARN": "arn:aws:iam::123456789012:role/ecr-lifecycle-plan",
    "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ecr-lifecycle-deploy",
}


def _config(state: Path, keep: int) -> str:
    endpoints = "{ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}"
    targets = "".join(
        f"  - name: {name}\n    region: {region}\n    endpoints: {endpoints}\n"
        f"    backend: {{type: local, path: '{state / name}.tfstate'}}\n"
        for name, region in REGIONS.items()
    )
    return (
        "version: 1\ntargets:\n" + targets + "repositories:\n"
        f"  - name: app/api\n    templates: [untagged-cleanup, {{name: keep-last, params: {{keep: {keep}}}}}]\n"
        "  - pattern: 'team-a/*'\n    templates: [keep-last]\n    params: {keep: 5}\n"
    )


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def _steps(run: JobRun) -> dict[str, str]:
    return {s.name: s.outcome for s in run.steps}


def _failures(jobs: dict[str, list[JobRun]]) -> str:
    return "\n".join(
        f"{r.name} {r.matrix or ''} / {s.name}:\n{s.output[-2500:]}"
        for runs in jobs.values()
        for r in runs
        for s in r.steps
        if s.outcome == "failure"
    )


def test_the_workflow_reviews_a_pull_request_per_stack_then_deploys(tmp_path: Path) -> None:
    origin = scratch_project(tmp_path / "origin")
    state = tmp_path / "state"  # the remote state: outlives each job's fresh checkout, like an S3 backend
    state.mkdir()
    (origin / "repositories.yaml").write_text(_config(state, keep=30))
    (origin / ".gitignore").write_text("cdktf.out/\ncdktf.out.lock\n.terraform/\nplans/\ninventory/\n")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "base")
    _git(origin, "checkout", "-q", "-b", "feature")
    (origin / "repositories.yaml").write_text(_config(state, keep=2))
    _git(origin, "commit", "-q", "-am", "keep fewer images of app/api")
    gh_log = tmp_path / "gh.jsonl"
    shims = write_shims(tmp_path / "shims", ROOT / ".venv", gh_log)

    with local_ecr() as url:
        clients = {
            name: boto3.client("ecr", endpoint_url=url, region_name=region,
                               aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY)
            for name, region in REGIONS.items()
        }  # fmt: skip
        for ecr in clients.values():
            for name in ("app/api", "team-a/search"):
                ecr.create_repository(repositoryName=name)
                for n in range(4):
                    push_image(ecr, name, f"v1.{n}")
        base_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PIPENV_", "VIRTUAL_ENV"))},
            "ECR_ENDPOINT_URL": url,
        }
        aws_env = {
            "AWS_ACCESS_KEY_ID": LOCAL_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_KEY,
            "AWS_SESSION_TOKEN": "local",
            "AWS_ENDPOINT_URL": url,
        }

        def workflow(name: str, event_name: str, event: dict[str, Any], ref: str, checkout: str) -> Runner:
            return Runner(
                WORKFLOW, event_name=event_name, event=event, ref=ref, repository=origin, checkout_ref=checkout,
                work=tmp_path / name, secrets=SECRETS, base_env=base_env, aws_env=aws_env, shims=shims,
            )  # fmt: skip

        repository: dict[str, Any] = {"default_branch": "main", "full_name": "example/ecr-policies"}
        pr_event = {"number": 7, "repository": repository,
                    "pull_request": {"number": 7, "base": {"ref": "main"}, "head": {"ref": "feature"}}}  # fmt: skip
        pr = workflow("pr", "pull_request", pr_event, "refs/pull/7/merge", "feature").run(JOBS)

        assert not _failures(pr), _failures(pr)
        assert [r.result for r in pr["deploy"] + pr["forecast"]] == ["skipped", "skipped"]
        plans = pr["plan"]
        assert [r.matrix for r in plans] == [{"stack": s} for s in REGIONS]
        assert json.loads(pr["stacks"][0].outputs["matrix"]) == {"include": [{"stack": s} for s in REGIONS]}
        for run, stack in zip(plans, REGIONS, strict=True):
            assert run.result == "success" and f"| {stack} | 2 | 0 | 0 | 0 |" in run.summary, run.summary
        roles = {role for runs in pr.values() for r in runs for role in r.roles}
        assert roles == {SECRETS["AWS_PLAN_ROLE_ARN"]}, "a pull request job saw the deploy role"
        calls = [json.loads(line) for line in gh_log.read_text().splitlines()]
        assert [c["args"][:3] for c in calls] == [["pr", "comment", "7"], ["pr", "comment", "7"]]
        assert "--edit-last" in calls[0]["args"] and "--edit-last" not in calls[1]["args"]
        comment = calls[1]["body"]
        assert comment.startswith(pr["review"][0].summary.strip()[:40])
        assert "app/api" in comment and "## Terraform plan per stack" in comment
        assert comment.count("| stack | add | change |") == 1, "one plan table for every stack"
        for stack in REGIONS:
            assert f"| {stack} | 2 | 0 | 0 | 0 |" in comment
        for ecr in clients.values():
            with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
                ecr.get_lifecycle_policy(repositoryName="app/api")  # the review changed nothing

        # Dispatched from another branch: nothing deploys.
        other = workflow("dispatch", "workflow_dispatch", {"repository": repository}, "refs/heads/feature", "feature")
        assert other.run(["deploy"])["deploy"][0].result == "skipped"

        _git(origin, "checkout", "-q", "main")
        _git(origin, "merge", "-q", "--ff-only", "feature")
        push = {"repository": repository, "ref": "refs/heads/main"}
        deployed = workflow("deploy", "push", push, "refs/heads/main", "main").run(JOBS)
        assert not _failures(deployed), _failures(deployed)
        assert [r.result for n in ("stacks", "plan", "review", "comment") for r in deployed[n]] == ["skipped"] * 4
        (deploy,) = deployed["deploy"]
        assert deploy.roles == [SECRETS["AWS_ROLE_ARN"]]
        assert _steps(deploy)["Apply the plans shown in the summary"] == "success"
        for stack in REGIONS:
            assert f"| {stack} | 2 | 0 | 0 | 0 |" in deploy.summary
        for ecr in clients.values():
            policy = json.loads(ecr.get_lifecycle_policy(repositoryName="app/api")["lifecyclePolicyText"])
            assert policy["rules"][-1]["selection"]["countNumber"] == 2
            assert ecr.get_lifecycle_policy(repositoryName="team-a/search")["lifecyclePolicyText"]

        again = workflow("redeploy", "push", push, "refs/heads/main", "main").run(["deploy"])
        (second,) = again["deploy"]
        assert second.result == "success", _failures(again)
        assert _steps(second)["Apply the plans shown in the summary"] == "skipped"
        for stack in REGIONS:
            assert f"| {stack} | 0 | 0 | 0 | 0 |" in second.summary
