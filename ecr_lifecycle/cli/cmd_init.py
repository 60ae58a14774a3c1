"""``init DIR``: a new config repository that installs this tool pinned by version."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import shutil
import tempfile
from typing import Any

from ecr_lifecycle import __version__
from ecr_lifecycle.app.scaffold import CONFIG, POLICIES_DIR, scaffold
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.core.config.model import Target
from ecr_lifecycle.core.config.targets import load_targets
from ecr_lifecycle.core.jsonschema_errors import packaged_schema
from ecr_lifecycle.core.sourcefile import SourceError, plain, read_file
from ecr_lifecycle.core.templates.library import shipped_dir

WORKFLOW = "ecr-lifecycle.yml"
# Characters a GitHub paths filter reads literally: no glob (*, ?, [, !), so the filter names exactly the file.
_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*\Z")


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "init",
        "write a new config repository (config, app entry, Pipfile, workflow)",
        "Writes a new, separate config repository into DIR (new, or an empty folder, which stays in place):\n"
        "cdktf.json, main.py (the app entry), a Pipfile pinning this version of ecr-lifecycle, the config\n"
        "(--config), an empty policies folder for your own templates (--policies-dir), the GitHub Actions\n"
        "workflow (reviewing pull requests that touch those), .gitignore and a README. All files, or none.",
        (0, 1, 2),
        "ecr-lifecycle init ecr-policies --targets-from accounts.yaml",
    )
    p.add_argument("dir", metavar="DIR", help="folder to create (or an empty one)")
    p.add_argument("--config", default=CONFIG, metavar="PATH", help="the config's path in DIR (default: %(default)s)")
    p.add_argument(
        "--policies-dir",
        default=POLICIES_DIR,
        metavar="DIR",
        help="own templates' folder, relative to the config (default: %(default)s)",
    )
    p.add_argument("--targets-from", metavar="FILE", help="a config whose 'targets' to copy (default: a placeholder)")
    p.set_defaults(handler=handle)


def shipped_workflow() -> str:
    """The workflow: shipped in the wheel (``ecr_lifecycle/scaffold``), or this checkout's own."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for path in (
        os.path.join(package, "scaffold", WORKFLOW),
        os.path.join(os.path.dirname(package), ".github", "workflows", WORKFLOW),
    ):
        if os.path.isfile(path):
            return read_file(path, "workflow")
    raise CliError(f"the shipped workflow {WORKFLOW} is missing from this installation", exitcodes.USAGE)


def _shipped_templates() -> list[str]:
    folder = shipped_dir()
    if folder is None:
        return []
    return sorted(n.rsplit(".", 1)[0] for n in os.listdir(folder) if n.endswith((".yaml", ".yml")))


def _repository_path(value: str, flag: str) -> str:
    """A path inside the new repository that the workflow's paths filter can name literally."""
    parts = value.split("/")
    if not _PATH.match(value) or any(part in (".", "..") for part in parts):
        raise CliError(f"{flag} {value!r}: must be a relative path inside DIR (letters, digits, '.', '_', '-', '/')")
    return value


def _layout(args: argparse.Namespace) -> tuple[str, str]:
    config = _repository_path(args.config, "--config")
    if not config.endswith((".yaml", ".yml")):
        raise CliError(f"--config {config!r}: must end in .yaml or .yml")
    if config.startswith(".github/"):  # GitHub would read it as a workflow (or it would replace ours)
        raise CliError(f"--config {config!r}: must not be inside .github/")
    # Without "." or "..", the policies folder (beside the config) never holds the config itself.
    return config, _repository_path(args.policies_dir, "--policies-dir")


def _is_empty_folder(target: str, shown: str) -> bool:
    try:
        return os.path.isdir(target) and not os.listdir(target)  # both follow a symlink to the folder
    except OSError as exc:
        raise CliError(f"{shown}: cannot read: {exc.strerror}") from None


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.remove(path)


def _write(target: str, shown: str, files: dict[str, str]) -> None:
    """Every file or none, into ``target``: a folder this creates, or an empty one (or a symlink to one)
    that stays where it is. Files are staged inside ``target`` (same file system) and each top-level entry
    appears by one rename; on failure only what this wrote is removed, and ``target`` only if it made it."""
    created = not os.path.lexists(target)
    try:
        if created:
            os.makedirs(target)
        stage = tempfile.mkdtemp(prefix=".ecr-lifecycle-init.", dir=target)
    except OSError as exc:
        raise CliError(f"{shown}: cannot create: {exc.strerror}") from None
    moved: list[str] = []
    done = False
    try:
        for relative, text in files.items():
            path = os.path.join(stage, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(text)
        for entry in sorted(os.listdir(stage)):
            final = os.path.join(target, entry)
            if os.path.lexists(final):  # someone else wrote it meanwhile: a rename would replace it
                raise FileExistsError(errno.EEXIST, f"{entry} appeared while writing")
            os.rename(os.path.join(stage, entry), final)
            moved.append(final)
        os.rmdir(stage)
        done = True
    except OSError as exc:
        raise CliError(f"{shown}: cannot write: {exc.strerror}") from None
    finally:
        if not done:
            for path in moved:
                _remove(path)
            shutil.rmtree(stage, ignore_errors=True)
            if created:
                with contextlib.suppress(OSError):
                    os.rmdir(target)


def handle(args: argparse.Namespace) -> int:
    target = os.path.abspath(args.dir)
    config, policies_dir = _layout(args)
    if os.path.lexists(target) and not _is_empty_folder(target, args.dir):
        raise CliError(f"{args.dir}: exists and is not an empty folder; init writes only into a new or empty one")
    raw_targets = None
    targets: list[Target] = []
    if args.targets_from:
        try:
            doc, targets = load_targets(args.targets_from, None)
        except SourceError as exc:
            raise CliError(exc.messages[0], exitcodes.INVALID) from None
        raw_targets = [plain(t) for t in doc.data["targets"]]
    try:
        files = scaffold(
            __version__,
            shipped_workflow(),
            packaged_schema("ecr_lifecycle.core.config.schema", "repositories.schema.json"),
            raw_targets,
            targets,
            _shipped_templates(),
            config,
            policies_dir,
        )
    except ValueError as exc:  # an installation whose workflow lacks the lines init rewrites
        raise CliError(str(exc), exitcodes.USAGE) from None
    _write(target, args.dir, files)
    print(f"wrote {len(files)} files to {args.dir}; next: cd {args.dir} && pipenv install (see its README.md)")
    return exitcodes.OK
