"""Using the machine's second core for CPU-bound work that splits into independent parts."""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

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
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(work(items[cut:]), protocol=pickle.HIGHEST_PROTOCOL)
            with open(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        started = time.monotonic()
        mine = work(items[:cut])
        data = _receive(read_end, deadline=time.monotonic() + patience * (time.monotonic() - started) + 5)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    if data is None:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if data is None or os.waitstatus_to_exitcode(status) != 0:
        return mine + work(items[cut:])
    theirs: list[R] = pickle.loads(data)
    return mine + theirs


def _receive(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it, or None once ``deadline`` has passed."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _can_fork() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
