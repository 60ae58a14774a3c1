"""``preview``: which images the policies would expire or archive, with bytes, dollars and guards."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, read_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.inventories import load_by_target, pick_target
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.policy.check import check_policy, decode_json
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.policy.render import render_policy
from ecr_lifecycle.core.preview import formats
from ecr_lifecycle.core.preview.guards import BadReference, in_use_hits, parse_references
from ecr_lifecycle.core.preview.inventory import Image, InventoryError, parse_inventory, parse_time
from ecr_lifecycle.core.preview.report import DEFAULT_PRICE_PER_GB_MONTH, RepositoryPreview
from ecr_lifecycle.core.preview.run import FleetPreview, preview


def register(sub: Any) -> None:
    p = sub.add_parser("preview", help="simulate the policies over an image inventory (offline or --live)")
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
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.add_argument(
        "--price-per-gb",
        type=float,
        default=DEFAULT_PRICE_PER_GB_MONTH,
        metavar="USD",
        help="storage price per GB-month (default: %(default)s)",
    )
    p.add_argument("--in-use", metavar="FILE", help="image references in use; exit 3 if any would be removed")
    p.add_argument(
        "--max-expire-percent",
        type=float,
        metavar="P",
        help="exit 3 if any repository would lose more than P%% of its images",
    )
    p.add_argument("--endpoint-url", help="ECR endpoint for --live (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile for --live")
    p.add_argument("--save-inventory", metavar="DIR", help="with --live: write what was read, for offline review")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.price_per_gb < 0:
        raise CliError("--price-per-gb must not be negative")
    if args.max_expire_percent is not None and not 0 <= args.max_expire_percent <= 100:
        raise CliError("--max-expire-percent must be between 0 and 100")
    if args.save_inventory and not args.live:
        raise CliError("--save-inventory goes with --live")
    now = time.time() if args.now is None else _parse_now(args.now)
    single = _load_single_policy(args.policy) if args.policy else None
    fleet = None if single is not None and not args.live else load_fleet_or_fail(args.config, reaches_aws=args.live)
    refs = []
    if args.in_use:
        try:
            refs = parse_references(read_text(args.in_use, "in-use list"), args.in_use)
        except BadReference as exc:
            raise CliError(str(exc), exitcodes.USAGE) from None

    with _bulk_allocation():
        images_by_target = _live(args, fleet) if args.live else _offline(args, fleet)
        result = _evaluate(images_by_target, fleet, single, now)

    decisions = {r.repository: list(r.decisions) for r in result.repositories}
    hits = in_use_hits(decisions, refs)
    over = formats.expire_percent_over(result, args.max_expire_percent) if args.max_expire_percent is not None else []
    _print(args.format, result, now, args.price_per_gb, hits, over)
    if hits or over:
        for h in hits:
            print(
                f"guard: in-use image {h.reference.text} would be {h.decision.action.value}d by "
                f"{h.decision.rule.label} in {h.decision.image.repository}",
                file=sys.stderr,
            )
        for o in over:
            print(
                f"guard: {o['repositoryName']} would lose {o['percent']}% of its images (limit {o['limit']}%)",
                file=sys.stderr,
            )
        return exitcodes.GUARD
    return exitcodes.OK


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic GC while millions of acyclic records are built: it would rescan them over and
    over (it more than halves the time of a 1M-image preview) and they hold no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_now(text: str) -> float:
    try:
        return parse_time(text, "--now")
    except InventoryError as exc:
        raise CliError(str(exc)) from None


def _load_single_policy(path: str) -> tuple[Policy, str]:
    text = read_text(path, "policy file")
    try:
        data = decode_json(text)
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{path}: not valid JSON: {exc}") from None
    result = check_policy(data)
    if result.policy is None:
        for f in result.errors[:-1]:
            print(f"error: {path}: {f.render()}", file=sys.stderr)
        raise CliError(f"{path}: {result.errors[-1].render()}", exitcodes.INVALID)
    return result.policy, render_policy(result.policy)


def _offline(args: argparse.Namespace, fleet: Fleet | None) -> dict[str | None, list[Image]]:
    return load_by_target(args.images, args.target, [t.name for t in fleet.targets] if fleet else [])


def _live(args: argparse.Namespace, fleet: Fleet | None) -> dict[str | None, list[Image]]:
    from rich.progress import Progress

    from ecr_lifecycle.aws.inventory import read_registry, save_inventory
    from ecr_lifecycle.aws.session import ecr_client

    assert fleet is not None
    out: dict[str | None, list[Image]] = {}
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    for target in fleet.targets:
        if args.target is not None and target.name != args.target:
            continue
        client = ecr_client(target, profile=args.profile, endpoint_url=endpoint)
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task(f"reading {target.name}", total=None)

            def tick(name: str, n: int, total: int, task: Any = task, bar: Any = bar, label: str = target.name) -> None:
                bar.update(task, completed=n, total=total, description=f"{label}: {name}")

            try:
                details = read_registry(client, tick)
            except Exception as exc:  # botocore errors: one line, never a traceback
                raise CliError(f"target {target.name}: cannot read the registry: {exc}", exitcodes.INVALID) from None
        if args.save_inventory:
            print(f"saved {save_inventory(args.save_inventory, target.name, details)}", file=sys.stderr)
        try:
            out[target.name] = parse_inventory({"imageDetails": details}, f"live:{target.name}")
        except InventoryError as exc:
            raise CliError(str(exc), exitcodes.INVALID) from None
    return out


def _evaluate(
    images_by_target: dict[str | None, list[Image]], fleet: Fleet | None, single: tuple[Policy, str] | None, now: float
) -> FleetPreview:
    repositories: list[RepositoryPreview] = []
    unmanaged: list[str] = []
    for target, images in sorted(images_by_target.items(), key=lambda kv: kv[0] or ""):
        if single is not None:
            result = preview(images, lambda _name: single, now)
        else:
            assert fleet is not None
            name = pick_target(target, [t.name for t in fleet.targets])

            def lookup(repository: str, name: str = name) -> tuple[Policy, str] | None:
                entry = fleet.entry_for(name, repository)
                return None if entry is None else (entry.composed.policy, entry.composed.text)

            result = preview(images, lookup, now)
        repositories.extend(result.repositories)
        unmanaged.extend(result.unmanaged)
    return FleetPreview(tuple(repositories), tuple(unmanaged))


def _print(fmt: str, result: FleetPreview, now: float, price: float, hits: Any, over: Any) -> None:
    if fmt == "json":
        json.dump(formats.json_document(result, now, price, hits, over), sys.stdout, indent=2)
        print()
    elif fmt == "markdown":
        print(formats.markdown(result, now, price, hits, over))
    else:
        from ecr_lifecycle.cli.preview_table import print_table

        print_table(result, now, price)
