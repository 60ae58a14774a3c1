"""``prune-adopt``: remove ``adopt: true`` from entries whose policy is in place, keeping the file's layout."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ecr_lifecycle.app.drift import detect_drift
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, aws_failures, read_text
from ecr_lifecycle.cli.files import write_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.progress import add_progress_argument, progress
from ecr_lifecycle.cli.reading import add_read_arguments, report_reads, scheduler_for
from ecr_lifecycle.core.config.edit import EditError, remove_adopt_flags
from ecr_lifecycle.core.config.load import config_path
from ecr_lifecycle.core.config.model import Target


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "prune-adopt",
        "remove 'adopt: true' from entries whose policy is already in place",
        "After the first deploy of an imported config the 'adopt: true' flags have done their job. Reads every\n"
        "target's live policies and removes the flag from each entry whose policy is in place (as the Terraform\n"
        "provider compares them), changing only those lines; the others keep it.",
        (0, 1, 2),
        "python -m ecr_lifecycle prune-adopt --config repositories.yaml --dry-run",
    )
    add_config_argument(p)
    p.add_argument("--dry-run", action="store_true", help="print the new file instead of writing it")
    p.add_argument("--endpoint-url", help="ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile")
    add_progress_argument(p)
    add_read_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ecr_lifecycle.aws.policies import RegistryReadError, read_policies
    from ecr_lifecycle.aws.reads import per_target
    from ecr_lifecycle.aws.session import check_account, ecr_client

    path = config_path(args.config)
    # One reading of the file for the whole command: the entry indexes come from this text, the edit is made to
    # it, and the write refuses if the file no longer holds it (an edit while AWS was being read).
    text = read_text(path, "config file", dash_is_stdin=False)
    fleet = load_fleet_or_fail(path, reaches_aws=True, text=text)
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Target) -> dict[str, str | None]:
        check_account(target, profile=args.profile, endpoint_url=endpoint)
        scheduler = scheduler_for(args, target)
        with progress(f"reading {target.name}", args.progress) as tick:
            client = ecr_client(target, profile=args.profile, endpoint_url=endpoint)
            policies = read_policies(client, tick, scheduler)
        report_reads(args, target, scheduler)
        return policies

    targets = fleet.targets if any(e.adopt for e in fleet.repositories) else ()
    try:
        with aws_failures():
            live = {t.name: policies for t, policies in zip(targets, per_target(read, targets), strict=True)}
    except RegistryReadError as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None
    report = detect_drift(fleet, live)
    # An entry spans targets: drop its flag only when every target has its policy in place.
    done = {(e.index, e.target) for e in report.adopt_done}
    flagged = {(e.index, e.target) for e in fleet.repositories if e.adopt}
    # A pattern entry answers for many repositories: any of them still drifting keeps its flag.
    pending = {d.entry.index for d in report.drifts if d.entry is not None}
    ready = sorted({i for i, _ in flagged if i not in pending and all((i, t) in done for j, t in flagged if j == i)})
    try:
        new = remove_adopt_flags(path, text, ready)
    except EditError as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None
    if args.dry_run:
        sys.stdout.write(new)
    elif new != text:
        write_text(path, new, expected=text)
    kept = len({i for i, _ in flagged}) - len(ready)
    print(f"{path}: {len(ready)} 'adopt: true' flag(s) removed, {kept} kept (policy not yet in place)", file=sys.stderr)
    return exitcodes.OK
