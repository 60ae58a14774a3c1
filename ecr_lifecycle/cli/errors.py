"""Errors the command line turns into one line on stderr and an exit code."""

from __future__ import annotations

from ecr_lifecycle.cli import exitcodes


class CliError(Exception):
    """A user-facing failure: ``message`` is printed as is, ``code`` is the exit status."""

    def __init__(self, message: str, code: int = exitcodes.USAGE) -> None:
        super().__init__(message)
        self.code = code


def read_text(path: str, what: str) -> str:
    """Read a file (``-`` for stdin) or fail with one line naming it."""
    import sys

    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise CliError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, expected a {what}") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read {what}: {exc.strerror}") from None
