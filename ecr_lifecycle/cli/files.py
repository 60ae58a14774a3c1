"""Writing files the user keeps (a config we edit, an ``--output`` file, a saved inventory): whole or not at all.

One implementation for every writer, so that each one follows a symlink to the file it names (the link stays a
link), keeps the file's mode, leaves no temporary file behind, and fails in one line rather than a traceback.
``stacks/splice.py`` uses ``replace_file`` for the synthesized files too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat

from ecr_lifecycle.cli.errors import CliError


class FileChanged(Exception):
    """The file no longer holds what was read from it: writing would throw away someone's edit."""


def replace_file(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the file ``path`` names (through symlinks) with ``data``; raise ``OSError`` or ``FileChanged``.

    ``expected``: what the file held when it was read; if it holds anything else now, nothing is written.
    """
    # The real file, not the link: os.replace onto the link would swap the link itself for a regular file.
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    try:
        mode: int | None = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = None
    if expected is not None and _current(real) != expected:
        raise FileChanged(path)
    # In the real file's folder, so that os.replace is a rename within one file system.
    temporary = os.path.join(folder, f".{os.path.basename(real)}.{secrets.token_hex(4)}.tmp")
    # A new file gets the mode open() would give it (0o666 less the umask); an existing one keeps its own,
    # and the copy is never more readable than the file while the data goes in.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def write_text(path: str, text: str, *, name: str | None = None, expected: str | None = None) -> None:
    """``replace_file`` for the command line: UTF-8 text as is (line endings untouched), and a failure as one
    ``CliError`` line (exit 2) naming the file as ``name`` (default: the path)."""
    label = name or path
    try:
        replace_file(path, text.encode("utf-8"), None if expected is None else expected.encode("utf-8"))
    except FileChanged:
        raise CliError(f"{label} changed while it was being read; run again") from None
    except OSError as exc:
        raise CliError(f"{label}: cannot write: {exc.strerror or exc}") from None


def _current(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _sync_folder(folder: str) -> None:
    # The rename is durable once the folder is synced; some file systems cannot sync a folder, and the
    # file itself is complete either way.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
