"""``init DIR``: a new config repository that installs this tool pinned by version."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from typing import Any

from ecr_lifecycle import __version__
from ecr_lifecycle.app.scaffold import scaffold
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.core.config.model import Target
from ecr_lifecycle.core.config.targets import load_targets
from ecr_lifecycle.core.jsonschema_errors import packaged_schema
from ecr_lifecycle.core.sourcefile import SourceError, plain, read_file
from ecr_lifecycle.core.templates.library import shipped_dir

WORKFLOW = "ecr-lifecycle.yml"


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "init",
        "write a new config repository (config, app entry, Pipfile, workflow)",
        "Writes a new, separate config repository into DIR (which must not exist or be empty): cdktf.json,\n"
        "main.py (the app entry), a Pipfile pinning this version of ecr-lifecycle, repositories.yaml, an\n"
        "empty policies/ for your own templates, the GitHub Actions workflow, .gitignore and a README.\n"
        "All files are written, or none.",
        (0, 1, 2),
        "ecr-lifecycle init ecr-policies --targets-from accounts.yaml",
    )
    p.add_argument("dir", metavar="DIR", help="folder to create (or an empty one)")
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


def handle(args: argparse.Namespace) -> int:
    target = os.path.abspath(args.dir)
    if os.path.lexists(target) and not (os.path.isdir(target) and not os.listdir(target)):
        raise CliError(f"{args.dir}: exists and is not an empty folder; init writes only into a new one")
    raw_targets = None
    targets: list[Target] = []
    if args.targets_from:
        try:
            doc, targets = load_targets(args.targets_from, None)
        except SourceError as exc:
            raise CliError(exc.messages[0], exitcodes.INVALID) from None
        raw_targets = [plain(t) for t in doc.data["targets"]]
    files = scaffold(
        __version__,
        shipped_workflow(),
        packaged_schema("ecr_lifecycle.core.config.schema", "repositories.schema.json"),
        raw_targets,
        targets,
        _shipped_templates(),
    )
    parent = os.path.dirname(target)
    try:
        os.makedirs(parent, exist_ok=True)
        stage = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.new-", dir=parent)
    except OSError as exc:
        raise CliError(f"{args.dir}: cannot create: {exc.strerror}") from None
    try:
        os.chmod(stage, 0o755)
        for relative, text in files.items():
            path = os.path.join(stage, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        if os.path.isdir(target):
            os.rmdir(target)  # empty, checked above
        os.rename(stage, target)
    except OSError as exc:
        raise CliError(f"{args.dir}: cannot write: {exc.strerror}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print(f"wrote {len(files)} files to {args.dir}; next: cd {args.dir} && pipenv install (see its README.md)")
    return exitcodes.OK
