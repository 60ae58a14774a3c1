"""The process's stdout and stderr: every byte a command writes (``--version`` and argparse's own messages too)
goes through here, so output that cannot be written (a reader that stopped, a full disk, a closed descriptor)
ends in one line and a non-zero exit, never in a traceback, and never turns a failing status into success."""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import TYPE_CHECKING

from ecr_lifecycle.cli import exitcodes

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class _Sink(io.RawIOBase):
    """A file descriptor whose writes never raise: the first failure is kept, what follows it is dropped.

    Dropping (instead of raising) lets the command run to its end, so its status and its stderr lines (a
    guard that tripped) survive a stdout whose reader went away."""

    def __init__(self, fd: int, closed_at_start: bool) -> None:
        super().__init__()
        self.fd = fd
        self._closed_at_start = closed_at_start
        self.failure: OSError | None = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return not self._closed_at_start and os.isatty(self.fd)

    def write(self, data: ReadableBuffer) -> int:
        if self.failure is None:
            if self._closed_at_start:  # only lost once something is written: a silent command has lost nothing
                self.failure = OSError(errno.EBADF, os.strerror(errno.EBADF))
            else:
                try:
                    return os.write(self.fd, data)
                except OSError as exc:
                    self.failure = exc
        return memoryview(data).nbytes


class Output:
    """Made before the arguments are read: ``sys.stdout`` and ``sys.stderr`` on sinks; ``finish`` at the end."""

    def __init__(self) -> None:
        self._sinks = [sink for sink in (_install("stdout", 1), _install("stderr", 2)) if sink is not None]

    def finish(self, code: int) -> int:
        """Flush what the command wrote; ``code``, or at least ``USAGE`` if any of it was lost (one line says so)."""
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # on a sink: never raises
        lost = [sink for sink in self._sinks if sink.failure is not None]
        if not lost:
            return code
        failure = lost[0].failure
        assert failure is not None
        if all(sink.fd != 2 for sink in lost):
            sys.stderr.write(f"error: cannot write output: {failure.strerror or failure}\n")
            sys.stderr.flush()
        # Whatever still writes to these descriptors (the interpreter's last flush of the original streams, a
        # child process that inherited them) writes to /dev/null instead of failing again.
        null = os.open(os.devnull, os.O_WRONLY)
        for sink in lost:
            os.dup2(null, sink.fd)
        os.close(null)
        return max(code, exitcodes.USAGE)


def _install(name: str, fd: int) -> _Sink | None:
    """Put ``sys.<name>`` on a sink over ``fd``, unless a caller has replaced the stream (an embedding program,
    a test capturing the output): that stream is theirs to handle."""
    original = getattr(sys, name)
    if original is not getattr(sys, f"__{name}__"):
        return None
    closed = original is None  # Python's sign that the descriptor was closed when the process started
    if closed:
        # Taken by /dev/null so that the next file the command opens does not become its stdout or stderr.
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    else:
        original.flush()
    sink = _Sink(fd, closed)
    stream = io.TextIOWrapper(
        io.BufferedWriter(sink),
        encoding=getattr(original, "encoding", None) or "utf-8",
        errors=getattr(original, "errors", None) or "backslashreplace",
        line_buffering=getattr(original, "line_buffering", False),
        write_through=getattr(original, "write_through", False),
    )
    setattr(sys, name, stream)
    return sink
