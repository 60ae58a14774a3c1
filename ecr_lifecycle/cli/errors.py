"""Errors the command line turns into one line on stderr and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.core.sourcefile import MAX_FILE_BYTES, SourceError, decode_utf8, read_file


class CliError(Exception):
    """A user-facing failure: ``message`` is printed as is, ``code`` is the exit status."""

    def __init__(self, message: str, code: int = exitcodes.USAGE) -> None:
        super().__init__(message)
        self.code = code


def read_text(path: str, what: str, *, dash_is_stdin: bool = True) -> str:
    """Read a file (``-`` for stdin, unless ``dash_is_stdin`` is false: a file we edit is a file) or fail with
    one line naming it (exit 2)."""
    try:
        if path == "-" and dash_is_stdin:
            # Bytes, decoded strictly: the locale must not decide whether non-UTF-8 input is "valid".
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise CliError(f"<stdin>: {what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            return decode_utf8(data, "<stdin>")
        return read_file(path, what)
    except SourceError as exc:
        raise CliError(exc.messages[0]) from None


@contextmanager
def aws_failures() -> Iterator[None]:
    """Failures to reach AWS (profile, region, endpoint, credentials, connection) end in one line, exit 1."""
    from ecr_lifecycle.aws.session import AwsSetupError

    try:
        yield
    except AwsSetupError as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None
