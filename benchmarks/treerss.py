"""The peak memory of a process and its descendants together, sampled from ``/proc`` (Linux).

``ru_maxrss`` gives the peak of the largest process only; a command that forks a helper holds the memory of
both. Sampled every few milliseconds, so a peak shorter than that can be missed; RSS counts pages shared by
the processes once per process, so the sum errs on the high side."""

from __future__ import annotations

import os
import threading


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", "rb") as fh:
                todo += [int(p) for p in fh.read().split()]
        except OSError:
            pass
    return pids


class TreePeak:
    """Samples the summed RSS of ``pid`` and its descendants until ``stop()``; ``peak_mb`` is the highest."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.peak_mb = 0.0
        self._pid, self._interval = pid, interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self._interval):
            total = sum(_rss_kib(p) for p in _tree(self._pid)) / 1024
            self.peak_mb = max(self.peak_mb, total)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_mb


def available() -> bool:
    return os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
