"""The process-level helpers of the shells: work split with a forked child, and the quick exit."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from devtools.synthetic import fleet_config
from ecr_lifecycle.cli import forking
from ecr_lifecycle.cli.forking import forked_split
from ecr_lifecycle.core.config import load
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.sourcefile import SourceError
from tests.helpers import record_forks

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent
can_fork = pytest.mark.skipif(not forking._can_fork(), reason="needs Linux and two CPUs")


def _pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item * item, os.getpid()) for item in items]


@can_fork
def test_a_forked_child_does_the_last_part_and_the_result_is_in_order() -> None:
    out = forked_split(_pids, list(range(100)))
    assert [square for square, _ in out] == [n * n for n in range(100)]
    pids = [pid for _, pid in out]
    cut = 100 - int(100 * forking.CHILD_SHARE)
    assert set(pids[:cut]) == {os.getpid()}
    assert len(set(pids[cut:])) == 1 and pids[-1] != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[-1], os.WNOHANG)  # the child was reaped


@can_fork
def test_what_the_child_cannot_deliver_is_done_here() -> None:
    parent = os.getpid()

    def fails_in_the_child(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("child trouble")
        return [item + 1 for item in items]

    assert forked_split(fails_in_the_child, list(range(10))) == list(range(1, 11))


@can_fork
def test_a_failure_here_propagates_and_leaves_no_child_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    children = record_forks(monkeypatch)

    def fails_here(items: Sequence[int]) -> list[int]:
        if os.getpid() == parent:
            raise ValueError("parent trouble")
        return list(items)

    with pytest.raises(ValueError, match="parent trouble"):
        forked_split(fails_here, list(range(10)))
    assert len(children) == 1 and children[0] > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)


def test_without_a_second_cpu_the_work_is_done_in_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "_can_fork", lambda: False)
    calls: list[int] = []

    def work(items: Sequence[int]) -> list[int]:
        calls.append(len(items))
        return list(items)

    assert forked_split(work, list(range(10))) == list(range(10))
    assert calls == [10]


@can_fork
def test_a_forked_call_runs_in_a_copy_and_its_result_comes_back() -> None:
    ahead = forking.forked_call(lambda: ("done", os.getpid()))
    assert ahead is not None
    word, pid = ahead.result() or ("", 0)
    assert word == "done" and pid not in (0, os.getpid())
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped
    assert ahead.result() is None  # collected once


@can_fork
def test_a_forked_call_that_fails_or_dies_gives_none_so_the_caller_does_the_work() -> None:
    def raises() -> int:
        raise RuntimeError("child trouble")

    def dies() -> int:
        os._exit(3)

    for work in (raises, dies):
        ahead = forking.forked_call(work)
        assert ahead is not None and ahead.result() is None


@can_fork
def test_a_cancelled_forked_call_leaves_no_child_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    children = record_forks(monkeypatch)
    ahead = forking.forked_call(lambda: time.sleep(60))
    assert ahead is not None
    ahead.cancel()
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)
    assert ahead.result() is None


@can_fork
def test_a_forked_copy_never_outlives_its_parent(tmp_path: Path) -> None:
    """Whatever ends the parent (here ``os._exit`` with the copy still working, as a signal could between the
    fork and the moment the parent would stop it), the copy is killed with it."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from ecr_lifecycle.cli import forking
        def work():
            with open({str(pids)!r}, "w") as out:
                out.write(str(os.getpid()))
            time.sleep(60)
        forking.forked_call(work)
        while not os.path.getsize({str(pids)!r}) if os.path.exists({str(pids)!r}) else True:
            time.sleep(0.01)
        os._exit(0)
        """
    )
    with open(tmp_path / "out", "w") as out:
        proc = subprocess.run([sys.executable, "-c", script], stdout=out, stderr=out, timeout=60)
    assert proc.returncode == 0, (tmp_path / "out").read_text()
    copy = int(pids.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(copy):
        time.sleep(0.01)
    assert not _running(copy)


def test_without_a_second_cpu_nothing_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "_can_fork", lambda: False)
    assert forking.forked_call(lambda: 1) is None


def _one_cpu() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


@can_fork
@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_synthesis_loads_in_a_copy_with_the_same_output_as_in_one_process(tmp_path: Path, valid: bool) -> None:
    """``main.py`` loads the config in a forked copy while it starts the engine; with one CPU it loads it
    itself. Same files, same errors."""
    text = fleet_config(600, 2, 3)
    if not valid:
        text = text.replace("templates: [keep-releases, keep-last]", "templates: [keep-releasez, keep-last]", 2)
    config = _project(tmp_path, text)
    runs = []
    for name, preexec in (("forked", None), ("one-cpu", _one_cpu)):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", config, "--outdir", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=preexec,
            env={**os.environ, "ECR_LIFECYCLE_VERBOSE": "0"},
        )
        runs.append(proc)
    forked, alone = runs
    assert (forked.returncode, forked.stderr) == (alone.returncode, alone.stderr)
    if not valid:
        assert forked.returncode == 1 and "keep-releasez" in forked.stderr
        assert not (tmp_path / "forked").exists()
        return
    assert forked.returncode == 0, forked.stderr
    files = sorted(p.relative_to(tmp_path / "forked") for p in (tmp_path / "forked").rglob("*") if p.is_file())
    assert len(files) >= 3
    for rel in files:
        assert (tmp_path / "forked" / rel).read_bytes() == (tmp_path / "one-cpu" / rel).read_bytes(), rel


def _running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from ``/proc/*/stat``: the field after the name is the state,
    then the parent's pid)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@can_fork
def test_a_synthesis_stopped_while_its_copy_loads_leaves_no_process_and_no_output(tmp_path: Path) -> None:
    config = _project(tmp_path, fleet_config(40000, 2, 3))  # a load of ~4 s
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--config", config, "--outdir", str(tmp_path / "out")],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not _children(proc.pid) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    copies = _children(proc.pid)
    assert copies, "the load was not forked"
    proc.terminate()
    assert proc.wait(timeout=60) == 143
    # Checked once the parent is gone (not once stderr closes: a copy left running would hold it open), with
    # a moment for the kernel to deliver the kill a copy gets when its parent ends.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and any(_running(copy) for copy in copies):
        time.sleep(0.01)
    assert not any(_running(copy) for copy in copies)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def _project(tmp_path: Path, text: str) -> str:
    (tmp_path / "policies").symlink_to(ROOT / "policies")
    config = tmp_path / "repositories.yaml"
    config.write_text(text)
    return str(config)


def test_a_split_load_gives_the_same_fleet_as_one_process(tmp_path: Path) -> None:
    config = _project(tmp_path, fleet_config(1200, 3, 5))
    assert load.SPLIT_FROM <= 1200
    split = load_fleet(config, {}, forked_split)
    whole = load_fleet(config, {})
    assert split == whole
    assert len({r.composed.text for r in split.repositories}) > 300
    # Findings crossed the process boundary by their check's code: the very same check objects come back.
    warned = [w for r in split.repositories for w in r.composed.warnings]
    assert all(pickle.loads(pickle.dumps(w)).check is w.check for w in warned[:50])


def test_a_split_load_reports_the_same_errors_in_the_same_order(tmp_path: Path) -> None:
    text = fleet_config(1200, 3, 5)
    # Break entries on both sides of the split: an unknown template and a parameter out of range.
    text = text.replace("templates: [keep-releases, keep-last]", "templates: [keep-releasez, keep-last]", 3)
    lines = text.splitlines()
    late = max(i for i, line in enumerate(lines) if "params: {keep:" in line)
    lines[late] = lines[late].split("params:")[0] + "params: {keep: -5}"
    config = _project(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(SourceError) as split:
        load_fleet(config, {}, forked_split)
    with pytest.raises(SourceError) as whole:
        load_fleet(config, {})
    assert split.value.messages == whole.value.messages
    assert len(split.value.messages) >= 4
    assert any("keep-releasez" in m for m in split.value.messages)
    assert any(f"repositories.yaml:{late + 1}:" in m for m in split.value.messages)


def _leaving_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import atexit, sys, threading, time
            sys.path.insert(0, {str(ROOT)!r})
            from ecr_lifecycle.cli.exiting import leave
            atexit.register(lambda: open({str(tmp_path / "handler-ran")!r}, "w").close())
            """
        )
        + textwrap.dedent(body)
    )
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)


def test_leave_runs_the_exit_handlers_flushes_and_keeps_the_code(tmp_path: Path) -> None:
    proc = _leaving_script(tmp_path, 'print("out", end=""); print("err", end="", file=sys.stderr); leave(3)\n')
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out", "err")
    assert (tmp_path / "handler-ran").exists()


def test_leave_waits_for_a_running_non_daemon_thread(tmp_path: Path) -> None:
    proc = _leaving_script(
        tmp_path,
        """
        def late():
            time.sleep(0.5)
            print("thread finished", flush=True)
        threading.Thread(target=late).start()
        leave(4)
        """,
    )
    assert (proc.returncode, proc.stdout) == (4, "thread finished\n")
    assert (tmp_path / "handler-ran").exists()


def test_synthesis_leaves_nothing_behind_in_the_temporary_folder(tmp_path: Path) -> None:
    # main.py leaves without the interpreter's teardown: jsii must still stop Node and delete its runtime copy.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(ROOT / "repositories.yaml"), "--outdir", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch), "ECR_ENDPOINT_URL": "http://127.0.0.1:4566"},
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "stacks" / "local" / "cdk.tf.json").is_file()
    assert list(scratch.iterdir()) == []


@can_fork
def test_a_child_that_hangs_is_given_up_and_its_part_done_here() -> None:
    parent = os.getpid()

    def hangs_in_the_child(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            time.sleep(600)  # a deadlocked child, as far as the parent can tell
        return [item * 2 for item in items]

    started = time.monotonic()
    assert forked_split(hangs_in_the_child, list(range(10)), patience=0.0) == [n * 2 for n in range(10)]
    assert time.monotonic() - started < 30
