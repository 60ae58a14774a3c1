"""Leaving the process once a command's output is complete."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import Any, NoReturn


def leave(code: int) -> NoReturn:
    """Exit with ``code``, skipping the interpreter's teardown.

    Exit handlers still run: jsii stops its Node process and deletes its runtime files, temporary folders are
    removed. What is skipped is freeing every object one by one and the final collection, which cost most of a
    second after a 1,000,000-image preview and about 0.3 s after a 10,000-entry synthesis; the kernel takes
    the memory back at once. While another non-daemon thread runs, the normal exit (which waits for it) is used.
    """
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    _flush()
    sys.unraisablehook = _one_line
    atexit._run_exitfuncs()  # private but stable since Python 3.0; os._exit alone would skip the handlers
    _flush()
    os._exit(code)


def _one_line(failure: Any) -> None:
    """A failing exit handler: one line instead of a traceback; none for a pipe to a process already gone
    (jsii stopping a Node that never started)."""
    if isinstance(failure.exc_value, BrokenPipeError):
        return
    print(f"warning: an exit handler failed: {type(failure.exc_value).__name__}: {failure.exc_value}", file=sys.stderr)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # a closed reader, or a stream the command closed
            stream.flush()
