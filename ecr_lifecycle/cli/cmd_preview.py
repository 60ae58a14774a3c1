"""``preview``: which images the policies would expire or archive, with bytes, dollars and guards."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from typing import Any

from ecr_lifecycle.app import preview as use_case
from ecr_lifecycle.app.policies import policy_for_preview
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, aws_failures, read_text
from ecr_lifecycle.cli.files import write_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.inuse_live import live_references
from ecr_lifecycle.cli.options import (
    add_price_argument,
    horizon_days,
    load_by_target,
    parse_now,
    read_in_use,
)
from ecr_lifecycle.cli.progress import add_progress_argument, progress
from ecr_lifecycle.cli.reading import add_read_arguments, report_reads, scheduler_for
from ecr_lifecycle.core.config.model import Fleet, Target, UnknownTarget
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview.guards import ImageRef
from ecr_lifecycle.core.preview.inventory import Image, InventoryError, parse_inventory
from ecr_lifecycle.core.preview.results import DEFAULT_PRICE_PER_GB_MONTH
from ecr_lifecycle.core.sourcefile import no_gc_pauses
from ecr_lifecycle.views import preview as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "preview",
        "simulate the policies over an image inventory (offline or --live)",
        "Simulates ECR's lifecycle evaluation over an inventory (describe-images JSON, or --live) and tells which\n"
        "images each policy would expire or archive, with bytes and dollars. --format json gives exactly the\n"
        "GetLifecyclePolicyPreview shape per repository, our estimates beside it.\n"
        "Guards: --in-use, --max-expire-percent.",
        (0, 1, 2, 3),
        "python -m ecr_lifecycle preview --images inventory/ --in-use in-use.txt --format markdown",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--images",
        nargs="+",
        metavar="PATH",
        help="describe-images JSON files or folders (DIR/<target>/*.json selects targets)",
    )
    src.add_argument("--live", action="store_true", help="read the inventory of every configured target via boto3")
    p.add_argument(
        "--policy", metavar="FILE", help="apply this policy document to every repository instead of the config"
    )
    add_config_argument(p)
    p.add_argument("--target", help="target whose policies apply (default: the only one, or DIR/<target>/ layout)")
    p.add_argument("--now", help="evaluation time, ISO 8601 or epoch seconds (default: now)")
    p.add_argument(
        "--format", choices=("table", "json", "markdown"), default="table", help="output format (default: %(default)s)"
    )
    add_price_argument(p, DEFAULT_PRICE_PER_GB_MONTH)
    p.add_argument("--in-use", metavar="FILE", help="image references in use; exit 3 if any would be removed")
    p.add_argument(
        "--in-use-live",
        action="store_true",
        help="read the images in use from every target's ECS, Lambda, Batch and App Runner, then guard them",
    )
    p.add_argument(
        "--horizon",
        type=horizon_days,
        default=0,
        metavar="DAYS",
        help="also what the next daily runs do within DAYS (e.g. 14d) if nothing changes; the guard covers them",
    )
    p.add_argument(
        "--max-expire-percent",
        type=float,
        metavar="P",
        help="exit 3 if any repository would lose more than P%% of its images",
    )
    p.add_argument("--endpoint-url", help="ECR endpoint for --live (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile for --live")
    p.add_argument("--save-inventory", metavar="DIR", help="with --live: write what was read, for offline review")
    add_progress_argument(p)
    add_read_arguments(p)
    p.add_argument(
        "--indent",
        type=int,
        choices=range(0, 9),
        metavar="N",
        help="with --format json: pretty-print with N spaces (default: compact, one line)",
    )
    p.set_defaults(handler=handle, quick_exit=True)


def handle(args: argparse.Namespace) -> int:
    if args.max_expire_percent is not None and not 0 <= args.max_expire_percent <= 100:
        raise CliError("--max-expire-percent must be between 0 and 100")
    if args.save_inventory and not args.live:
        raise CliError("--save-inventory goes with --live")
    now = parse_now(args.now, time.time())
    single = policy_for_preview(read_text(args.policy, "policy file"), args.policy) if args.policy else None
    fleet = None if single is not None and not args.live else load_fleet_or_fail(args.config, reaches_aws=args.live)
    refs = read_in_use(args.in_use)
    if args.in_use_live:
        if fleet is None:
            fleet = load_fleet_or_fail(args.config, reaches_aws=True)
        refs += live_references(fleet, args.profile, args.endpoint_url, reads=args)
    with no_gc_pauses():
        return _preview(args, fleet, single, refs, now)


def _preview(
    args: argparse.Namespace, fleet: Fleet | None, single: tuple[Policy, str] | None, refs: list[ImageRef], now: float
) -> int:
    # Millions of acyclic records (images, decisions, the JSON per repository) are built here: the cyclic
    # collector would rescan them again and again (two thirds of a 1,000,000-image preview) and find nothing.
    encode = args.format == "json"
    images = _live(args, fleet) if args.live else _offline(args, fleet)
    result = use_case.preview(images, fleet if single is None else None, single, now, args.horizon, encode)
    args.retained.append(images)
    args.retained.append(result)  # freed by the process's exit, not one object at a time (cli.main.main)
    guards = use_case.check_guards(result, fleet, refs, args.max_expire_percent)
    if args.format == "json":
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # a text-only stdout (an embedding program): encode, then write the text
            buffer = io.BytesIO()
            views.write_json(result, now, args.price_per_gb, guards, buffer, args.indent)
            sys.stdout.write(buffer.getvalue().decode())
        else:
            sys.stdout.flush()
            views.write_json(result, now, args.price_per_gb, guards, binary, args.indent)
            binary.flush()
    elif args.format == "markdown":
        print(views.markdown(result, now, args.price_per_gb, guards))
    else:
        views.table(result, now, args.price_per_gb)
    for message in guards.messages():
        print(message, file=sys.stderr)
    return exitcodes.GUARD if guards.tripped else exitcodes.OK


def _offline(args: argparse.Namespace, fleet: Fleet | None) -> dict[str | None, list[Image]]:
    return load_by_target(args.images, args.target, fleet.target_names if fleet else ())


def _live(args: argparse.Namespace, fleet: Fleet | None) -> dict[str | None, list[Image]]:
    from ecr_lifecycle.aws.inventory import read_registry
    from ecr_lifecycle.aws.reads import RegistryReadError, per_target
    from ecr_lifecycle.aws.session import check_account, ecr_client

    assert fleet is not None
    try:
        targets = fleet.select_targets([args.target] if args.target else None)
    except UnknownTarget as exc:
        raise CliError(str(exc)) from None
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Target) -> list[dict[str, Any]]:
        check_account(target, profile=args.profile, endpoint_url=endpoint)
        client = ecr_client(target, profile=args.profile, endpoint_url=endpoint)
        scheduler = scheduler_for(args, target)
        with progress(f"reading {target.name}", args.progress) as tick:
            try:
                details = read_registry(client, tick, scheduler)
            except RegistryReadError as exc:
                raise CliError(f"target {target.name}: {exc}", exitcodes.INVALID) from None
        report_reads(args, target, scheduler)
        return details

    with aws_failures():
        read_all = per_target(read, targets)
    out: dict[str | None, list[Image]] = {}
    for target, details in zip(targets, read_all, strict=True):
        if args.save_inventory:
            _save_inventory(args.save_inventory, target.name, details)
        try:
            out[target.name] = parse_inventory({"imageDetails": details}, f"live:{target.name}")
        except InventoryError as exc:
            raise CliError(str(exc), exitcodes.INVALID) from None
    return out


def _save_inventory(directory: str, target: str, details: list[dict[str, Any]]) -> None:
    """Write ``DIR/<target>/images.json`` (whole or not at all) so a review can be reproduced offline."""
    name = f"--save-inventory {directory}"
    path = os.path.join(directory, target, "images.json")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError as exc:
        raise CliError(f"{name}: cannot write: {exc.strerror}") from None
    write_text(path, json.dumps({"imageDetails": details}, indent=1, sort_keys=True), name=name)
    print(f"saved {path}", file=sys.stderr)
