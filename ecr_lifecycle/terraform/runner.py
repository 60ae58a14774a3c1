"""Run the app's synthesis and ``terraform init/plan/show`` per stack; hand plain results to the core."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from ecr_lifecycle.core.report.plan import error_blocks


class TerraformError(Exception):
    """A step failed; the message names the stack and Terraform's last words; ``output`` is all it said."""

    def __init__(self, message: str, stack: str = "", output: str = "") -> None:
        super().__init__(message)
        self.stack = stack
        self.output = output


@dataclass(frozen=True)
class StackPlan:
    stack: str
    plan: dict[str, Any]  # ``terraform show -json`` of the saved plan
    saved: str | None  # the plan file kept with --out


def project_root(start: str) -> str:
    """The folder holding ``cdktf.json`` (the app), searched upwards from ``start``."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, "cdktf.json")) and os.path.isfile(os.path.join(folder, "main.py")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            raise TerraformError(f"no cdktf.json with a main.py in {start} or above: run plan from the app's folder")
        folder = parent


def synthesize(root: str, config: str, outdir: str, env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(root, "main.py"), "--config", config, "--outdir", outdir],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise TerraformError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "synthesis failed")


def _terraform(args: list[str], cwd: str, env: dict[str, str], stack: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("terraform") is None:
        raise TerraformError("terraform is not on PATH")
    proc = subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode not in (0, 2) or (proc.returncode == 2 and args[0] != "plan"):
        # Terraform's own words, whole: its last line alone hid the cause ("132:       }" for "AWS account ID
        # not allowed"). Its Error: blocks when it printed any, else the last lines it printed.
        said = error_blocks(proc.stderr + proc.stdout)
        if not said:
            said = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()][-5:]
        detail = "\n".join(said) or f"exit {proc.returncode}"
        raise TerraformError(f"stack {stack}: terraform {args[0]} failed:\n{detail}", stack, proc.stdout + proc.stderr)
    return proc


def plan_stack(stack_dir: str, stack: str, env: dict[str, str], keep_in: str | None) -> StackPlan:
    """``init`` (when needed), ``plan`` to a saved plan, ``show -json``; the saved plan is copied to ``keep_in``."""
    env = {**env, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    if not os.path.isdir(os.path.join(stack_dir, ".terraform")):
        _terraform(["init", "-input=false", "-no-color"], stack_dir, env, stack)
    _terraform(["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=plan.tfplan"], stack_dir, env, stack)
    shown = _terraform(["show", "-json", "plan.tfplan"], stack_dir, env, stack)
    saved = None
    if keep_in is not None:
        os.makedirs(keep_in, exist_ok=True)
        saved = os.path.join(keep_in, f"{stack}.tfplan")
        shutil.copyfile(os.path.join(stack_dir, "plan.tfplan"), saved)
    try:
        plan: dict[str, Any] = json.loads(shown.stdout)
    except ValueError:
        raise TerraformError(f"stack {stack}: terraform show printed no JSON") from None
    return StackPlan(stack, plan, saved)
