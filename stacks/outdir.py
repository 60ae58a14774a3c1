"""Synthesis output that is never half written: build beside the outdir, then swap it in.

A second synthesis into the same outdir waits for the first (a lock file beside it). An
interrupted one leaves the previous output as it was. Terraform's working files in the old
stack folders (``.terraform/``, the lock file, plans, state files: whatever the synthesis does not write
itself) move into the new tree, so a swap costs no re-init and loses nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator

LOCK_WAIT_SECONDS = float(os.environ.get("ECR_LIFECYCLE_SYNTH_LOCK_WAIT", "120"))


class OutdirBusy(Exception):
    pass


@contextlib.contextmanager
def locked(outdir: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    parent = os.path.dirname(os.path.abspath(outdir))
    os.makedirs(parent, exist_ok=True)
    path = os.path.abspath(outdir) + ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutdirBusy(
                        f"{outdir} is being written by another synthesis (lock {path}); gave up after {wait:.0f}s"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def staged(outdir: str) -> Iterator[str]:
    """A fresh folder beside ``outdir`` to synthesize into; on success it replaces ``outdir``."""
    outdir = os.path.abspath(outdir)
    stage = tempfile.mkdtemp(prefix="." + os.path.basename(outdir) + ".new-", dir=os.path.dirname(outdir))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp's 0700 would change the outdir's mode
    try:
        yield stage
        _carry_working_files(outdir, stage)
        _swap(stage, outdir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _carry_working_files(old: str, new: str) -> None:
    under_cdktf_cli = "CDKTF_OUTDIR" in os.environ  # the CLI sets it when it runs the app
    stacks = os.path.join(old, "stacks")
    if not os.path.isdir(stacks):
        return
    for name in os.listdir(stacks):
        target = os.path.join(new, "stacks", name)
        if not os.path.isdir(target):
            if under_cdktf_cli:
                # A stack that is gone (a target renamed or removed, shards changed). The cdktf CLI listed the
                # stack folders before it ran us and removes the orphans itself afterwards, failing (ENOENT)
                # on any we removed first: leave it to the CLI.
                os.rename(os.path.join(stacks, name), target)
            continue
        same_state = _backend(os.path.join(stacks, name)) == _backend(target)
        # Everything Terraform (or its user) left in the stack folder: `.terraform/`, the lock file, plans,
        # `errored.tfstate` (what it saves when it cannot write the backend; `terraform state push` it later),
        # local state: anything the new synthesis does not write itself.
        for kept in sorted(os.listdir(os.path.join(stacks, name))):
            if kept == ".terraform" and not same_state:
                # The stack now keeps its state elsewhere (a shard count or a backend changed). Terraform's
                # working folder still names the old state, and `terraform init -migrate-state` (what cdktf asks
                # for) would copy it into the new one: a shard would then hold repositories another shard owns
                # now, and destroy their policies. Without it, init starts on the new state, empty or not, and
                # the import blocks of `previous_shards` fill it.
                continue
            source = os.path.join(stacks, name, kept)
            if os.path.lexists(source) and not os.path.lexists(os.path.join(target, kept)):
                os.rename(source, os.path.join(target, kept))


def _backend(stack_dir: str) -> object:
    """The stack's backend block as synthesized (``None`` if the stack has no readable ``cdk.tf.json``)."""
    try:
        with open(os.path.join(stack_dir, "cdk.tf.json"), encoding="utf-8") as fh:
            return json.load(fh).get("terraform", {}).get("backend")
    except (OSError, ValueError, AttributeError):
        return None


def _swap(new: str, outdir: str) -> None:
    """Put ``new`` at ``outdir`` in one step where the kernel allows it (renameat2 RENAME_EXCHANGE)."""
    if not os.path.lexists(outdir):
        os.rename(new, outdir)
        return
    if _exchange(new, outdir):
        return  # ``new`` now holds the old output; the caller removes it
    old = outdir + ".old-" + str(os.getpid())
    os.rename(outdir, old)
    os.rename(new, outdir)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: str, b: str) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EXDEV):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), b)
