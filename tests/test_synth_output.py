"""``main.py`` output is never half written: interrupted or concurrent syntheses leave a complete outdir."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_synth import EXAMPLE, LOCAL_ENV, ROOT, run_main

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

# Runs main.py as a script, interrupted just after cdktf has written the stacks (the worst moment for
# an in-place writer: the new files are there, the run never finished).
INTERRUPTING = """
import runpy, sys
sys.path.insert(0, {root!r})
import cdktf
real = cdktf.App.synth
def failing(self):
    real(self)
    raise {exception}
cdktf.App.synth = failing
sys.argv = ["main.py", "--config", {config!r}, "--outdir", {outdir!r}]
runpy.run_path({main!r}, run_name="__main__")
"""

TWO_TARGETS = """
version: 1
targets:
  - {name: a, region: us-east-1, endpoints: {ecr: "http://127.0.0.1:9"}}
  - {name: b, region: us-east-1, endpoints: {ecr: "http://127.0.0.1:9"}}
repositories:
  - name: app/api
    rules:
      - selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: KEEP}
        action: {type: expire}
        description: keep the newest images of every kind here
"""


def _project(tmp: Path, keep: int) -> Path:
    (tmp / "policies").mkdir(exist_ok=True)
    config = tmp / "repositories.yaml"
    config.write_text(TWO_TARGETS.replace("KEEP", str(keep)))
    return config


def _snapshot(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def _interrupt(config: Path, outdir: Path, exception: str) -> subprocess.CompletedProcess[str]:
    code = INTERRUPTING.format(
        root=str(ROOT), exception=exception, config=str(config), outdir=str(outdir), main=str(ROOT / "main.py")
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **LOCAL_ENV})


def test_interrupted_synthesis_leaves_the_previous_output(tmp_path: Path) -> None:
    config = _project(tmp_path, 5)
    outdir = tmp_path / "cdktf.out"
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    before = _snapshot(outdir)
    assert sorted(k for k in before if k.endswith("cdk.tf.json")) == ["stacks/a/cdk.tf.json", "stacks/b/cdk.tf.json"]
    _project(tmp_path, 7)  # a new config: both stacks would change
    for exception, code in (("KeyboardInterrupt", 130), ("SystemExit(143)", 143)):
        proc = _interrupt(config, outdir, exception)
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stderr
        assert _snapshot(outdir) == before
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cdktf.out")] == []
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    after = _snapshot(outdir)
    assert after != before and all(b'"countNumber\\":7' in after[f"stacks/{s}/cdk.tf.json"] for s in "ab")


def test_terraform_working_files_survive_a_new_synthesis(tmp_path: Path) -> None:
    config = _project(tmp_path, 5)
    outdir = tmp_path / "cdktf.out"
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    (outdir / "stacks" / "a" / ".terraform").mkdir()
    (outdir / "stacks" / "a" / ".terraform" / "marker").write_text("init done")
    (outdir / "stacks" / "a" / ".terraform.lock.hcl").write_text("lock")
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    assert (outdir / "stacks" / "a" / ".terraform" / "marker").read_text() == "init done"
    assert (outdir / "stacks" / "a" / ".terraform.lock.hcl").read_text() == "lock"


def test_a_stack_whose_state_moved_starts_terraform_afresh(tmp_path: Path) -> None:
    """A changed backend (shards, a new key): the old working folder would have `init -migrate-state` copy the
    old state into the new one (cdktf asks for it), which destroys the policies another shard owns now."""
    config = _project(tmp_path, 5)
    outdir = tmp_path / "cdktf.out"
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    for stack in ("a", "b"):
        (outdir / "stacks" / stack / ".terraform").mkdir()
        (outdir / "stacks" / stack / ".terraform.lock.hcl").write_text("lock")
    config.write_text(
        config.read_text().replace(
            '{name: a, region: us-east-1, endpoints: {ecr: "http://127.0.0.1:9"}}',
            '{name: a, region: us-east-1, endpoints: {ecr: "http://127.0.0.1:9"}, '
            "backend: {type: local, path: elsewhere.tfstate}}",
        )
    )
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    assert not (outdir / "stacks" / "a" / ".terraform").exists()  # state moved: init anew
    assert (outdir / "stacks" / "b" / ".terraform").is_dir()  # same state: no re-init
    assert (outdir / "stacks" / "a" / ".terraform.lock.hcl").read_text() == "lock"  # providers stay pinned


def test_state_files_terraform_leaves_in_a_stack_folder_survive_a_new_synthesis(tmp_path: Path) -> None:
    config = _project(tmp_path, 5)
    outdir = tmp_path / "cdktf.out"
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    stack = outdir / "stacks" / "a"
    (stack / "terraform.tfstate.d" / "blue").mkdir(parents=True)
    kept = [
        "errored.tfstate",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        "terraform.tfstate.d/blue/terraform.tfstate",
        "plan.tfplan",  # a plan saved in the stack folder (`terraform plan -out`)
    ]
    for name in kept:
        (stack / name).write_bytes(b'{"lineage": "' + name.encode() + b'"}\n')
    _project(tmp_path, 7)  # the stack itself changes too
    assert run_main(config, outdir, cwd=tmp_path).returncode == 0
    assert b'"countNumber\\":7' in (stack / "cdk.tf.json").read_bytes()
    for name in kept:
        assert (stack / name).read_bytes() == b'{"lineage": "' + name.encode() + b'"}\n', name


def test_a_second_synthesis_waits_for_the_lock_then_says_why_it_gave_up(tmp_path: Path) -> None:
    config = _project(tmp_path, 5)
    outdir = tmp_path / "cdktf.out"
    with open(str(outdir) + ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "--outdir", str(outdir)],
            capture_output=True,
            text=True,
            env={**os.environ, **LOCAL_ENV, "ECR_LIFECYCLE_SYNTH_LOCK_WAIT": "1"},
        )
    assert proc.returncode == 1
    assert "is being written by another synthesis" in proc.stderr and "Traceback" not in proc.stderr
    assert not outdir.exists()
    assert run_main(EXAMPLE, tmp_path / "other").returncode == 0


def test_the_timing_line_only_when_asked(tmp_path: Path) -> None:
    """cdktf prints whatever the app writes to stderr as ``[ERROR]``: a clean synthesis is silent."""
    quiet = run_main(EXAMPLE, tmp_path / "a")
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(EXAMPLE), "--outdir", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        env={**os.environ, **LOCAL_ENV, "ECR_LIFECYCLE_VERBOSE": "1"},
    )
    assert loud.returncode == 0 and loud.stderr.startswith("ecr-lifecycle (cdktf): 1 stack(s)")
