"""``drift``: live lifecycle policies against the config, for every target (exit 4 when drifted)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ecr_lifecycle.app.drift import detect_drift
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, aws_failures
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.progress import add_progress_argument, progress
from ecr_lifecycle.cli.reading import add_read_arguments, report_reads, scheduler_for
from ecr_lifecycle.core.config.model import Target, UnknownTarget
from ecr_lifecycle.views import drift as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "drift",
        "compare live policies with the config (exit 4 when they differ)",
        "Reads every target's live policies and compares them with the config the way the Terraform provider does.\n"
        "Three groups: managed repositories the next deploy changes (drift), managed ones without their policy,\n"
        "and live policies no entry manages (listed; drift only with --strict). Notes 'adopt: true' flags that\n"
        "would fail the next plan, and those that can be removed (prune-adopt).",
        (0, 1, 2, 4),
        "python -m ecr_lifecycle drift --target prod-eu --format markdown",
    )
    add_config_argument(p)
    p.add_argument("--target", action="append", help="only this target (repeatable; default: all)")
    p.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format (default: %(default)s)"
    )
    p.add_argument("--endpoint-url", help="ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile")
    add_progress_argument(p)
    add_read_arguments(p)
    p.add_argument(
        "--strict", action="store_true", help="also exit 4 for live policies on repositories no entry manages"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ecr_lifecycle.aws.policies import RegistryReadError, read_policies
    from ecr_lifecycle.aws.reads import per_target
    from ecr_lifecycle.aws.session import check_account, ecr_client

    fleet = load_fleet_or_fail(args.config, reaches_aws=True)
    try:
        targets = fleet.select_targets(args.target)
    except UnknownTarget as exc:
        raise CliError(str(exc)) from None
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Target) -> tuple[str, dict[str, str | None]]:
        check_account(target, profile=args.profile, endpoint_url=endpoint)
        scheduler = scheduler_for(args, target)
        with progress(f"reading {target.name}", args.progress) as tick:
            client = ecr_client(target, profile=args.profile, endpoint_url=endpoint)
            policies = read_policies(client, tick, scheduler)
        report_reads(args, target, scheduler)
        return target.name, policies

    try:
        with aws_failures():
            live = dict(per_target(read, targets))
    except RegistryReadError as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None
    report = detect_drift(fleet, live)
    if args.format == "json":
        json.dump(views.json_document(report), sys.stdout, indent=2)
        print()
    elif args.format == "markdown":
        print(views.markdown(report, args.strict), end="")
    else:
        print(views.plain_text(report, args.strict))
    return exitcodes.CHANGES if report.drifted(args.strict) else exitcodes.OK
