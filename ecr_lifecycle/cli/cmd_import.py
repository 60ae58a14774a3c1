"""``import``: write a config and templates that reproduce the live policies of existing registries."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from typing import Any

import yaml

from ecr_lifecycle.app.adopt import adopt_registries
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, aws_failures
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.progress import add_progress_argument, progress
from ecr_lifecycle.cli.reading import add_read_arguments, report_reads, scheduler_for
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.config.model import Target
from ecr_lifecycle.core.config.targets import load_targets, parse_targets, target_schema
from ecr_lifecycle.core.jsonschema_errors import schema_errors
from ecr_lifecycle.core.sourcefile import SourceError, load_yaml, plain, read_file
from ecr_lifecycle.core.templates.library import Library, load_library

SCHEMA = "ecr_lifecycle/core/config/schema/repositories.schema.json"
SHIPPED_TEMPLATES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "policies"
)


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "import",
        "write a config reproducing the live policies (brownfield adoption)",
        "Reads every repository and policy of the targets and writes repositories.yaml and policies/ that reproduce\n"
        "them exactly, each entry marked 'adopt: true' so the first deploy imports instead of replacing. Writes\n"
        "every file or none, refuses to overwrite without --force, and checks the result with its own loader.",
        (0, 1, 2),
        "python -m ecr_lifecycle import --output adopted/ --targets-from targets.yaml",
    )
    p.add_argument("--output", required=True, metavar="DIR", help="folder for repositories.yaml and policies/")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--targets-from", metavar="FILE", help="a config whose 'targets' to read (and copy)")
    src.add_argument("--name", help="one target: its name (with --region)")
    p.add_argument("--region", help="with --name: the region")
    p.add_argument("--account-id", help="with --name: the account the provider must refuse to leave")
    p.add_argument("--endpoint-url", help="ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile")
    add_progress_argument(p)
    add_read_arguments(p)
    p.add_argument("--force", action="store_true", help="overwrite existing files in --output")
    p.add_argument(
        "--templates",
        metavar="DIR",
        default=SHIPPED_TEMPLATES,
        help="templates to recognise live policies as (default: the shipped policies/); 'none' for none",
    )
    p.set_defaults(handler=handle)


def _targets(args: argparse.Namespace) -> tuple[list[Target], list[dict[str, Any]]]:
    """The targets to read, parsed by the config loader's own target parser, and their entries to write."""
    try:
        if args.name is not None:
            if not args.region:
                raise CliError("--name needs --region")
            raw: dict[str, Any] = {"name": args.name, "region": args.region}
            if args.account_id:
                raw["account_id"] = args.account_id
            doc = load_yaml("--name/--region", yaml.safe_dump({"targets": [raw]}))
            problems = schema_errors(doc, target_schema())
            if problems:
                raise SourceError(problems)
            parsed: list[str] = []
            targets = parse_targets(doc, os.environ, parsed)
            if parsed:
                raise SourceError(parsed)
        else:
            doc, targets = load_targets(args.targets_from, os.environ)
    except SourceError as exc:
        raise CliError(exc.messages[0], exitcodes.INVALID) from None
    return targets, [plain(t) for t in doc.data["targets"]]


def handle(args: argparse.Namespace) -> int:
    from ecr_lifecycle.aws.policies import RegistryReadError, read_policies
    from ecr_lifecycle.aws.reads import per_target
    from ecr_lifecycle.aws.session import check_account, ecr_client

    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CliError(f"--output {args.output}: exists and is not a folder")
    targets, raw_targets = _targets(args)
    library, texts = _library(args.templates)  # before any AWS call: a bad folder is a usage error
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Target) -> dict[str, str | None]:
        try:
            check_account(target, profile=args.profile, endpoint_url=endpoint)
            scheduler = scheduler_for(args, target)
            with progress(f"reading {target.name}", args.progress) as tick:
                client = ecr_client(target, profile=args.profile, endpoint_url=endpoint)
                policies = read_policies(client, tick, scheduler)
        except RegistryReadError as exc:
            raise CliError(f"target {target.name}: {exc}; nothing written", exitcodes.INVALID) from None
        report_reads(args, target, scheduler)
        return policies

    with aws_failures():
        live = {t.name: policies for t, policies in zip(targets, per_target(read, targets), strict=True)}
    result = adopt_registries(raw_targets, live, _relative_schema(args.output), library, texts)
    files = {"repositories.yaml": result.config}
    files.update({os.path.join("policies", name): text for name, text in result.templates.items()})
    _write_checked(args.output, files, args.force)
    config_path = os.path.join(args.output, "repositories.yaml")
    imported_templates = len(result.templates) - len(result.reused)
    print(
        f"{config_path}: {len(result.imported)} repositories imported: {result.entries} entries "
        f"({result.patterns} patterns) cover them; library templates reused: {', '.join(result.reused) or 'none'}; "
        f"{imported_templates} imported template(s); {len(result.without_policy)} without a policy, "
        f"{len(result.skipped)} skipped",
        file=sys.stderr,
    )
    for target_name, repository, why in result.skipped:
        print(f"skipped {target_name}/{repository}: {why}", file=sys.stderr)
    return exitcodes.OK


def _write_checked(output: str, files: dict[str, str], force: bool) -> None:
    """Write every file or none: into a folder beside ``output`` first, load it with our own loader,
    then move each file into place. Existing files are never replaced without ``--force``."""
    existing = [name for name in files if os.path.lexists(os.path.join(output, name))]
    if existing and not force:
        raise CliError(f"{os.path.join(output, existing[0])} exists; pass --force to overwrite it")
    for name in existing:
        if not os.path.isfile(os.path.join(output, name)) or os.path.islink(os.path.join(output, name)):
            raise CliError(f"{os.path.join(output, name)} exists and is not a regular file; remove it first")
    parent = os.path.dirname(os.path.abspath(output))
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".ecr-lifecycle-import-", dir=parent)
    except OSError as exc:
        raise CliError(f"--output {output}: cannot write: {exc.strerror}") from None
    try:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(staging, name)), exist_ok=True)
            with open(os.path.join(staging, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        try:
            load_fleet(os.path.join(staging, "repositories.yaml"))
        except SourceError as exc:
            message = exc.messages[0].replace(staging + os.sep, "")
            raise CliError(
                f"the imported config would not load ({message}); nothing written", exitcodes.INVALID
            ) from None
        os.makedirs(os.path.join(output, "policies"), exist_ok=True)
        for name in sorted(files, key=lambda n: n == "repositories.yaml"):  # the config last
            os.replace(os.path.join(staging, name), os.path.join(output, name))
    except OSError as exc:
        raise CliError(f"--output {output}: cannot write: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _library(folder: str) -> tuple[Library | None, dict[str, str]]:
    if folder == "none":
        return None, {}
    try:
        library = load_library(folder)
    except SourceError as exc:
        raise CliError(f"--templates: {exc.messages[0]}") from None
    if library.broken:
        name, messages = next(iter(library.broken.items()))
        raise CliError(f"--templates {folder}: template {name!r} does not load: {messages[0]}", exitcodes.INVALID)
    texts = {}
    for name in library.templates:
        for ext in (".yaml", ".yml"):
            path = os.path.join(folder, name + ext)
            if os.path.isfile(path):
                texts[name] = _schema_relative(read_file(path, "policy template"))
    return library, texts


def _schema_relative(text: str) -> str:
    """A library template copied into ``OUTPUT/policies/`` points its editor at the schema from there."""
    return re.sub(r"^# yaml-language-server: \$schema=.*$", "", text, count=1, flags=re.MULTILINE).lstrip("\n")


def _relative_schema(output: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.relpath(os.path.join(root, SCHEMA), os.path.abspath(output))
