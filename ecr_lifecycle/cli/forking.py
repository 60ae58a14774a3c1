"""Using the machine's second core for CPU-bound work that splits into independent parts."""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


# The child's part of the items. It pays for copying the pages it writes to and for pickling its results, this
# process for whatever else it runs meanwhile (during a synthesis, the thread that starts Node): on 10,000-entry
# configs 45 % made both finish together in a synthesis (40 % in a plain load).
CHILD_SHARE = 0.45


def forked_split(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], patience: float = 4.0) -> list[R]:
    """``work(items)``, with the last ``CHILD_SHARE`` of ``items`` worked on by a forked copy of this process.

    The child starts with everything this process holds (no re-reading, no re-importing) and sends its
    results back pickled, so results must pickle. Anything the child cannot deliver (it fails, is killed,
    or one core only is available) is done here instead: the result never depends on the child.

    Only where ``fork`` is dependable (Linux), and only with at least two CPUs to run on. The child runs
    nothing but ``work`` and leaves with ``os._exit``: no exit handlers (jsii's would stop the parent's
    Node process), no flushing of buffers the parent still owns. Forking while another thread runs (the
    engine thread of a synthesis) is safe as long as the child takes no lock that thread may hold, such as
    the lock of a module it is importing: the modules ``work`` needs are loaded before it is handed over.
    Should a child hang all the same, it is given up after ``patience`` times this process's own part
    (plus five seconds), killed, and its part done here.
    """
    if len(items) < 2 or not _can_fork():
        return work(items)
    cut = len(items) - int(len(items) * CHILD_SHARE)
    pid, read_end = _fork_running(lambda: work(items[cut:]))
    try:
        started = time.monotonic()
        mine = work(items[:cut])
        data = _receive(read_end, deadline=time.monotonic() + patience * (time.monotonic() - started) + 5)
    except BaseException:
        _reaped(pid, delivered=False)
        raise
    finally:
        os.close(read_end)
    if not _reaped(pid, delivered=data is not None) or data is None:
        return mine + work(items[cut:])
    theirs: list[R] = pickle.loads(data)
    return mine + theirs


class Forked(Generic[R]):
    """``work()`` running in a forked copy of this process (``forked_call``), its result collected here once."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self._pid, self._fd = pid, read_fd

    def result(self) -> R | None:
        """Waits for the child: what ``work()`` returned, or None if it failed or was killed (the caller then
        does the work itself)."""
        if self._fd < 0:
            return None
        try:
            data = _receive(self._fd, deadline=None)
        except BaseException:
            self.cancel()
            raise
        os.close(self._fd)
        self._fd = -1
        if not _reaped(self._pid, delivered=data is not None) or data is None:
            return None
        value: R = pickle.loads(data)
        return value

    def cancel(self) -> None:
        """Stops the child unless its result was collected."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            _reaped(self._pid, delivered=False)


def forked_call(work: Callable[[], R]) -> Forked[R] | None:
    """``work()`` started in a forked copy of this process, which goes on meanwhile; None where that cannot
    help (not Linux, one CPU). The result must pickle. The child leaves with ``os._exit``, as in
    ``forked_split``; fork before starting any thread, so that the child holds no lock another thread took."""
    if not _can_fork():
        return None
    return Forked(*_fork_running(work))


def _fork_running(work: Callable[[], object]) -> tuple[int, int]:
    """Forks a child that sends ``work()`` pickled down a pipe and leaves; its pid, and the pipe's end to read."""
    read_end, write_end = os.pipe()

    def child() -> None:
        os.close(read_end)
        payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with open(write_end, "wb") as out:
            out.write(payload)

    pid = _fork(child)
    os.close(write_end)
    return pid, read_end


def _fork(child: Callable[[], None]) -> int:
    """Forks a child that runs ``child()`` and leaves with ``os._exit`` (0 if it returned), killed with this
    process however that ends; the child's pid."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _die_with(parent)
            child()
            code = 0
        finally:
            os._exit(code)
    return pid


def _reaped(pid: int, delivered: bool) -> bool:
    """Waits for the child, killed first unless it ``delivered``; whether it delivered and exited cleanly."""
    if not delivered:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return delivered and os.waitstatus_to_exitcode(status) == 0


def _receive(fd: int, deadline: float | None) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it, or None once ``deadline`` (if any) has passed."""
    chunks: list[bytes] = []
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return None
        # Waits of at most 50 ms: a SIGTERM the kernel hands to another thread (jsii's, during a synthesis)
        # runs its Python handler only once this thread is back in Python, and that handler stops the child.
        if not select.select([fd], [], [], _POLL if remaining is None else min(remaining, _POLL))[0]:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


_POLL = 0.05
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """In a child: be killed when ``parent`` ends, however it ends. A signal can stop the parent between the
    fork and the moment it could stop the child itself; a child left running would finish its work for
    nobody, holding the parent's output streams open."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the request was in place
        os._exit(1)


def _can_fork() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
