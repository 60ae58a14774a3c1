"""Run the command line in this process: fast enough for hundreds of hostile inputs, and any exception
that escapes ``run`` (a traceback for the user) fails the test."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from ecr_lifecycle.cli.main import run


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def invoke(*argv: str, stdin: bytes = b"") -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="ascii", errors="strict")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = run(list(argv))
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin = real_stdin
    return Outcome(code, out.getvalue(), err.getvalue())
