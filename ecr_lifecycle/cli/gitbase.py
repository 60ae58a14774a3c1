"""Read the config as it was at a git revision, without touching the checkout (``git archive``)."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError


def _git(args: list[str], cwd: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise CliError("git is not installed") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise CliError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return proc.stdout.decode(errors="replace").strip()


def repository_root(path: str) -> str:
    folder = os.path.dirname(os.path.abspath(path)) or "."
    return _git(["rev-parse", "--show-toplevel"], folder)


def default_base(root: str) -> str:
    """The merge base of HEAD with the default branch (origin's HEAD, else main, else master)."""
    candidates = []
    with suppress(CliError):
        candidates.append(_git(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], root))
    candidates += ["origin/main", "main", "origin/master", "master"]
    for ref in candidates:
        try:
            _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], root)
        except CliError:
            continue
        return _git(["merge-base", "HEAD", ref], root)
    raise CliError("no default branch found (origin/HEAD, main, master); give --base REF")


@contextmanager
def checkout_at(root: str, revision: str) -> Iterator[str]:
    """A temporary copy of the tree at ``revision``; the working tree and index are never changed."""
    commit = _git(["rev-parse", "--verify", "--quiet", revision + "^{commit}"], root)
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit], cwd=root, capture_output=True, timeout=300, check=True
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise CliError(
            f"git archive {revision}: {exc.stderr.decode(errors='replace').strip()}", exitcodes.USAGE
        ) from None
    with tempfile.TemporaryDirectory(prefix="ecr-lifecycle-base-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter=_safe_member)
        yield folder


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, skipping (not failing on) what it refuses: absolute or escaping links,
    devices. A revision may hold such files anywhere; the config only needs its own files."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None
