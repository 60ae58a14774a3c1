"""Using the machine's second core for CPU-bound work that splits into independent parts."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


# The child's part of the items. It pays for copying the pages it writes to and for pickling its results,
# so it takes less than half; measured on 10,000-entry configs, 40 % makes both finish together.
CHILD_SHARE = 0.4


def forked_split(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """``work(items)``, with the last ``CHILD_SHARE`` of ``items`` worked on by a forked copy of this process.

    The child starts with everything this process holds (no re-reading, no re-importing) and sends its
    results back pickled, so results must pickle. Anything the child cannot deliver (it fails, is killed,
    or one core only is available) is done here instead: the result never depends on the child.

    Only where ``fork`` is dependable (Linux), and only with at least two CPUs to run on. The child runs
    nothing but ``work`` and leaves with ``os._exit``: no exit handlers (jsii's would stop the parent's
    Node process), no flushing of buffers the parent still owns. Forking while the engine thread imports
    is safe here because the child imports nothing: the modules ``work`` needs are loaded before it is
    handed over, and the import locks another thread may hold are never asked for.
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
            data = pickle.dumps(work(items[cut:]), protocol=pickle.HIGHEST_PROTOCOL)
            with open(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with open(read_end, "rb") as received:
        try:
            mine = work(items[:cut])
            data = received.read()
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return mine + work(items[cut:])
    theirs: list[R] = pickle.loads(data)
    return mine + theirs


def _can_fork() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1
