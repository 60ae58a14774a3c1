"""Output that cannot be written (a full disk, a closed stdout, a reader that stopped early): one line on
stderr, the command's own non-zero status kept, at least 2 when output was lost, never a traceback."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import policy, rule
from tests.test_review import edit, make_repo

GUARD_LINE = "guard: in-use image a/b@sha256:0 would be expired by rule 1 ('test rule 1 for the validator') in a/b"

# How stdout is broken, and the reason the one line gives. The reader stops after 20 bytes of an output far
# larger than a pipe holds, so the writer is sure to find it gone.
SINKS = {
    "full": ("> /dev/full", "No space left on device"),
    "closed": (">&-", "Bad file descriptor"),
    "reader gone": ("| head -c 20 > /dev/null", "Broken pipe"),
}


def _shell(argv: list[str], redirect: str) -> subprocess.CompletedProcess[str]:
    command = shlex.join([sys.executable, "-m", "ecr_lifecycle", *argv])
    script = f"{command} {redirect}"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=120
    )


def _preview(tmp: Path, *extra: str) -> list[str]:
    """A preview whose JSON (about 500 KB) is larger than any pipe's buffer; ``--in-use`` makes its guard trip."""
    images = [
        {"repositoryName": "a/b", "imageDigest": f"sha256:{n}", "imagePushedAt": 1767225600 + n} for n in range(3000)
    ]
    (tmp / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp / "p.json").write_text(json.dumps(policy(rule(1, "any", count=1))))
    (tmp / "in-use.txt").write_text("a/b@sha256:0\n")
    argv = ["preview", "--images", str(tmp / "images.json"), "--policy", str(tmp / "p.json"), "--format", "json"]
    return [*argv, *extra]


@pytest.mark.parametrize("sink", SINKS)
def test_a_tripped_guard_stays_exit_3_and_its_line_reaches_stderr(tmp_path: Path, sink: str) -> None:
    redirect, reason = SINKS[sink]
    proc = _shell(_preview(tmp_path, "--in-use", str(tmp_path / "in-use.txt")), redirect)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines() == [GUARD_LINE, f"error: cannot write output: {reason}"]


@pytest.mark.parametrize("sink", SINKS)
def test_a_successful_command_whose_output_is_lost_exits_2(tmp_path: Path, sink: str) -> None:
    redirect, reason = SINKS[sink]
    proc = _shell(_preview(tmp_path), redirect)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"error: cannot write output: {reason}"]


def test_the_same_command_with_a_working_stdout_is_untouched(tmp_path: Path) -> None:
    proc = _shell(_preview(tmp_path), "| cat")
    assert proc.returncode == 0 and proc.stderr == ""
    assert len(json.loads(proc.stdout)["repositories"][0]["previewResults"]) == 2999


@pytest.mark.parametrize("sink", ["full", "closed"])
def test_version_to_an_unwritable_stdout_exits_2(sink: str) -> None:
    redirect, reason = SINKS[sink]
    proc = _shell(["--version"], redirect)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"error: cannot write output: {reason}"]


def test_version_to_a_pipe_nobody_reads_exits_2() -> None:
    # The version is a few bytes, which `| head` would read in full: a pipe closed before we write loses them.
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ecr_lifecycle", "--version"], stdout=write, stderr=subprocess.PIPE, text=True
        )
    finally:
        os.close(write)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["error: cannot write output: Broken pipe"]


def test_changes_found_stay_exit_4_when_the_report_is_lost(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, edit("params: {keep: 50}", "params: {keep: 45}"))
    proc = _shell(["diff", "--config", str(repo / "repositories.yaml"), "--detailed-exitcode"], "> /dev/full")
    assert proc.returncode == 4
    assert proc.stderr.splitlines() == ["error: cannot write output: No space left on device"]


def test_a_closed_stderr_loses_nothing_when_nothing_is_written_to_it(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps(policy(rule(1, "any"))))
    proc = _shell(["validate", "--policy", str(tmp_path / "p.json")], "2>&-")
    assert proc.returncode == 0 and "valid" in proc.stdout


ROOT = Path(__file__).resolve().parent.parent
EVERY_COMMAND = [
    ["validate"],
    ["validate", "--format", "json"],
    ["render", "payments/api"],
    ["preview", "--images", "examples/local/inventory.json", "--now", "2026-12-01T00:00:00Z"],
    ["preview", "--images", "examples/local/inventory.json", "--format", "markdown"],
    ["stacks", "--format", "github-matrix"],
    ["validate", "--config", "missing.yaml"],  # fails on its own: exit 2 either way, never less
    ["--help"],
]


@pytest.mark.slow
@pytest.mark.parametrize("sink", ["full", "closed"])
@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=" ".join)
def test_no_command_turns_lost_output_into_success(argv: list[str], sink: str) -> None:
    """Whatever the command: its own status or 2, whichever is worse, one line, never a traceback."""
    redirect, reason = SINKS[sink]
    normal = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    proc = subprocess.run(
        [
            "bash",
            "--noprofile",
            "--norc",
            "-c",
            f"{shlex.join([sys.executable, '-m', 'ecr_lifecycle', *argv])} {redirect}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    if normal.stdout:
        assert proc.returncode == max(normal.returncode, 2), proc.stderr
        assert proc.stderr.splitlines()[-1] == f"error: cannot write output: {reason}"
    else:
        assert (proc.returncode, proc.stderr) == (normal.returncode, normal.stderr)
