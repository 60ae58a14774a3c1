"""``diff``: the review report of a config change (base revision against the working tree)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from ecr_lifecycle.app.review import review_change
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.gitbase import checkout_at, default_base, repository_root
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.inuse_live import live_references
from ecr_lifecycle.cli.options import add_price_argument, load_by_target, parse_now, read_in_use
from ecr_lifecycle.core.config.load import config_path, load_fleet
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.preview.results import DEFAULT_PRICE_PER_GB_MONTH
from ecr_lifecycle.core.sourcefile import SourceError
from ecr_lifecycle.views import review as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "diff",
        "review report: what a config change does, rule by rule",
        "Compares the config at a git revision (read with git archive; the checkout is never touched) with the\n"
        "working tree and words every difference rule by rule, naming the templates that cause it. With --images,\n"
        "measures what changes in the inventory and guards in-use images.",
        (0, 1, 2, 3, 4),
        "python -m ecr_lifecycle diff --base origin/main --images inventory/ --format markdown --detailed-exitcode",
    )
    add_config_argument(p)
    p.add_argument("--base", help="git revision to compare with (default: merge base with the default branch)")
    p.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="output format (default: %(default)s)"
    )
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 4 when there are changes")
    p.add_argument("--images", nargs="+", metavar="PATH", help="inventory to measure the impact on (describe-images)")
    p.add_argument("--target", help="target the inventory belongs to (default: the only one, or DIR/<target>/)")
    p.add_argument("--now", help="evaluation time for the impact (ISO 8601 or epoch; default: now)")
    add_price_argument(p, DEFAULT_PRICE_PER_GB_MONTH)
    p.add_argument("--in-use", metavar="FILE", help="image references in use; exit 3 if the change removes any")
    p.add_argument(
        "--in-use-live",
        action="store_true",
        help="read the images in use from every target's ECS, Lambda, Batch and App Runner, then guard them",
    )
    p.add_argument("--endpoint-url", help="with --in-use-live: AWS endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="with --in-use-live: AWS profile")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    head = load_fleet_or_fail(path, reaches_aws=args.in_use_live)
    root = repository_root(path)
    base_ref = args.base or default_base(root)
    base = _load_base(root, path, base_ref)
    images = load_by_target(args.images, args.target, head.target_names) if args.images else None
    review = review_change(
        base,
        head,
        (base_ref[:12], "working tree"),
        images,
        parse_now(args.now, time.time()),
        args.price_per_gb,
        read_in_use(args.in_use) + (live_references(head, args.profile, args.endpoint_url) if args.in_use_live else []),
    )
    if args.format == "json":
        json.dump(views.json_document(review), sys.stdout, indent=2)
        print()
    elif args.format == "markdown":
        print(views.markdown(review), end="")
    else:
        print(views.plain_text(review))
    for hit in review.in_use:
        print(f"guard: {hit.message()}", file=sys.stderr)
    if review.in_use:
        return exitcodes.GUARD
    if args.detailed_exitcode and review.changes:
        return exitcodes.CHANGES
    return exitcodes.OK


def _load_base(root: str, path: str, revision: str) -> Fleet | None:
    relative = os.path.relpath(os.path.abspath(path), root)
    with checkout_at(root, revision) as folder:
        base_path = os.path.join(folder, relative)
        if not os.path.exists(base_path):
            return None  # the config is new in this change: everything in it is added
        try:
            return load_fleet(base_path)
        except SourceError as exc:
            first = exc.messages[0].replace(folder + os.sep, "")
            raise CliError(f"the config at {revision} is invalid: {first}", exitcodes.INVALID) from None
