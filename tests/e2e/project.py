"""A scratch copy of the project wired to one local ECR endpoint, for end-to-end tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3

from ecr_lifecycle.aws.session import LOCAL_KEY

ROOT = Path(__file__).resolve().parents[2]
CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
REPOSITORIES = [
    "payments/api",
    "payments/worker",
    "web/frontend",
    "team-a/search",
    "team-a/legacy-billing",
    "sandbox/alice/experiment",
    "tools/unmanaged",
]


def scratch_project(path: Path) -> Path:
    """main.py, cdktf.json, the example config and templates copied; the code linked."""
    path.mkdir(parents=True, exist_ok=True)
    for name in ("main.py", "cdktf.json", "repositories.yaml"):
        shutil.copy(ROOT / name, path / name)
    shutil.copytree(ROOT / "policies", path / "policies")
    for name in ("stacks", "ecr_lifecycle"):
        os.symlink(ROOT / name, path / name)
    return path


class Project:
    """A scratch copy of the project wired to one local endpoint."""

    def __init__(self, path: Path, url: str, extra_env: dict[str, str] | None = None) -> None:
        self.path = path
        self.url = url
        self.env = {
            **(extra_env or {}),
            **os.environ,
            "ECR_ENDPOINT_URL": url,
            "PIPENV_PIPFILE": str(ROOT / "Pipfile"),
            "PIPENV_VENV_IN_PROJECT": "1",
            "PIPENV_VERBOSITY": "-1",
            "CHECKPOINT_DISABLE": "1",
            "DISABLE_VERSION_CHECK": "1",
            "CI": "1",
            "TF_IN_AUTOMATION": "1",
        }
        self.ecr = boto3.client(
            "ecr",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=LOCAL_KEY,
            aws_secret_access_key=LOCAL_KEY,
        )

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(list(args), cwd=self.path, env=self.env, capture_output=True, text=True, timeout=600)
        if check and proc.returncode != 0:
            tail = f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            raise AssertionError(f"{' '.join(args)} exited {proc.returncode}:\n{tail}")
        return proc

    def cdktf(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(str(CDKTF), *args, check=check)

    def synth(self) -> None:
        self.run(str(ROOT / ".venv" / "bin" / "python"), "main.py")

    def plan_changes(self) -> tuple[int, list[dict[str, Any]]]:
        """``terraform plan -detailed-exitcode`` in the synthesized stack, and its managed resource changes."""
        stack = self.path / "cdktf.out" / "stacks" / "local"
        if not (stack / ".terraform").exists():
            init = subprocess.run(
                ["terraform", "init", "-input=false", "-no-color"],
                cwd=stack,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert init.returncode == 0, init.stdout + init.stderr
        proc = subprocess.run(
            ["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=plan.bin"],
            cwd=stack,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode in (0, 2), proc.stdout + proc.stderr
        shown = subprocess.run(
            ["terraform", "show", "-json", "plan.bin"],
            cwd=stack,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        changes = [c for c in json.loads(shown.stdout).get("resource_changes", []) if c["mode"] == "managed"]
        return proc.returncode, changes

    def plan(self) -> tuple[int, dict[str, list[str]]]:
        """Like ``plan_changes``, as actions by resource address, no-ops left out."""
        code, changes = self.plan_changes()
        return code, {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["no-op"]}

    def live_policies(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in [*REPOSITORIES, "team-a/newsvc", "team-a/legacy-new"]:
            try:
                out[name] = self.ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
            except (
                self.ecr.exceptions.LifecyclePolicyNotFoundException,
                self.ecr.exceptions.RepositoryNotFoundException,
            ):
                continue
        return out
