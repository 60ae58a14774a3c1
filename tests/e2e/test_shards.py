"""``shards: N`` against a local ECR endpoint: repositories land in the shard Python and Terraform both
compute, and changing N moves them between states without planning a single destroy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devtools.local_ecr import local_client, local_ecr
from ecr_lifecycle.core.config.shards import shard_of
from tests.e2e.project import Project, scratch_project

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NAMED = [f"app/svc-{n:02d}" for n in range(12)]
DISCOVERED = [f"team-a/x{n}" for n in range(6)]  # found by the pattern at plan time


def _config(state: Path, shards: str) -> str:
    endpoints = "{ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}"
    named = "".join(f"  - name: {n}\n    templates: [keep-last]\n" for n in NAMED)
    return (
        "version: 1\ntargets:\n"
        f"  - name: prod\n    region: us-east-1\n    endpoints: {endpoints}\n{shards}"
        f"    backend: {{type: local, path: '{state}/prod.tfstate'}}\n"
        "repositories:\n" + named + "  - pattern: 'team-a/*'\n    templates: [untagged-cleanup]\n"
    )


def _plan(project: Project, out: Path) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", "plan", "--parallel", "2", "--out", str(out), "--format", "json"],
        cwd=project.path, env=project.env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode in (0, 4), proc.stdout + proc.stderr
    return proc.returncode, {s["stack"]: s for s in json.loads(proc.stdout)["stacks"]}


def _changes(project: Project, stack: str, saved: Path) -> dict[str, list[str]]:
    shown = subprocess.run(
        ["terraform", "show", "-json", str(saved)], cwd=project.path / "cdktf.out" / "stacks" / stack,
        env=project.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    doc = json.loads(shown.stdout)
    return {
        c["address"]: c["change"]["actions"] + (["import"] if c["change"].get("importing") else [])
        for c in doc.get("resource_changes", [])
        if c["mode"] == "managed"
    }


def _apply(project: Project, stacks: dict[str, Any]) -> None:
    for name, summary in stacks.items():
        if summary["savedPlan"]:
            applied = subprocess.run(
                ["terraform", "apply", "-input=false", "-no-color", summary["savedPlan"]],
                cwd=project.path / "cdktf.out" / "stacks" / name, env=project.env,
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            assert applied.returncode == 0, applied.stdout + applied.stderr


def _with_policy(ecr: Any, names: list[str]) -> set[str]:
    """The repositories among ``names`` that have a lifecycle policy live."""
    found = set()
    for name in names:
        try:
            ecr.get_lifecycle_policy(repositoryName=name)
            found.add(name)
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            pass
    return found


def test_resharding_moves_repositories_between_states_without_a_destroy(tmp_path: Path) -> None:
    path = scratch_project(tmp_path / "project")
    state = tmp_path / "state"
    state.mkdir()
    with local_ecr() as url:
        project = Project(path, url)
        ecr = local_client("ecr", url, "us-east-1")
        for name in NAMED + DISCOVERED:
            ecr.create_repository(repositoryName=name)

        def live() -> set[str]:
            return _with_policy(ecr, NAMED + DISCOVERED)

        # One stack first, deployed.
        (path / "repositories.yaml").write_text(_config(state, ""))
        code, stacks = _plan(project, tmp_path / "plans-1")
        assert code == 4 and list(stacks) == ["prod"] and stacks["prod"]["add"] == 18
        _apply(project, stacks)
        assert live() == set(NAMED + DISCOVERED)

        # Three shards, with the migration step: imports into the new states, the old state forgotten.
        (path / "repositories.yaml").write_text(_config(state, "    shards: 3\n    previous_shards: 1\n"))
        code, stacks = _plan(project, tmp_path / "plans-2")
        assert code == 4 and list(stacks) == ["prod-0", "prod-1", "prod-2", "prod-retired"]
        assert all(s["destroy"] == 0 and s["add"] == 0 and s["change"] == 0 for s in stacks.values()), stacks
        assert stacks["prod-retired"]["forget"] == 18
        owners: dict[str, int] = {}
        for k in range(3):
            changes = _changes(project, f"prod-{k}", Path(stacks[f"prod-{k}"]["savedPlan"]))
            assert all(actions == ["no-op", "import"] for actions in changes.values()), changes
            for address in changes:
                owners[json.loads(address.removeprefix("aws_ecr_lifecycle_policy.this[").removesuffix("]"))] = k
        # Named repositories were placed by Python, discovered ones by Terraform: the same hash.
        assert owners == {name: shard_of(name, 3) for name in NAMED + DISCOVERED}
        assert len(set(owners.values())) == 3
        _apply(project, stacks)
        assert live() == set(NAMED + DISCOVERED)

        # The step done: without previous_shards every shard plans nothing.
        (path / "repositories.yaml").write_text(_config(state, "    shards: 3\n"))
        code, stacks = _plan(project, tmp_path / "plans-3")
        assert code == 0 and list(stacks) == ["prod-0", "prod-1", "prod-2"], stacks
        assert live() == set(NAMED + DISCOVERED)


def test_resharding_through_the_cdktf_cli_keeps_every_policy(tmp_path: Path) -> None:
    """2 -> 3 -> 2 shards the way cdktf users do it (``cdktf deploy 'prod-*'``, ``--migrate-state`` too):
    every step succeeds on its first run and no policy is ever destroyed."""
    path = scratch_project(tmp_path / "project")
    state = tmp_path / "state"
    state.mkdir()
    names = NAMED[:6]
    with local_ecr() as url:
        project = Project(path, url)
        ecr = local_client("ecr", url, "us-east-1")
        for name in names + DISCOVERED[:2]:
            ecr.create_repository(repositoryName=name)

        def live() -> set[str]:
            return _with_policy(ecr, names + DISCOVERED[:2])

        def config(shards: str) -> str:
            return _config(state, shards).replace(
                "".join(f"  - name: {n}\n    templates: [keep-last]\n" for n in NAMED[6:]), ""
            )

        steps = [
            ("    shards: 2\n", ()),
            ("    shards: 3\n    previous_shards: 2\n", ("--migrate-state",)),
            ("    shards: 3\n", ()),
            ("    shards: 2\n    previous_shards: 3\n", ()),
            ("    shards: 2\n", ("--migrate-state",)),
        ]
        for shards, extra in steps:
            (path / "repositories.yaml").write_text(config(shards))
            proc = project.cdktf("deploy", "prod-*", "--auto-approve", "--skip-provider-lock", *extra, check=False)
            assert proc.returncode == 0, (shards, proc.stdout[-3000:], proc.stderr[-3000:])
            assert live() == set(names + DISCOVERED[:2]), (shards, proc.stdout[-3000:])
