"""``validate``: one policy document (``--policy``) or the whole config and every composed policy."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ecr_lifecycle.app.config import coverage, validate_config
from ecr_lifecycle.app.policies import validate_policy
from ecr_lifecycle.app.preview import assign_targets
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, aws_failures, read_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.options import load_by_target
from ecr_lifecycle.cli.reading import add_read_arguments, report_reads, scheduler_for
from ecr_lifecycle.core.config.model import Fleet, Target
from ecr_lifecycle.views import config as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "validate",
        "check a policy document, or the config and every policy it composes",
        "Checks one lifecycle policy document the way AWS does (--policy FILE, '-' for stdin), or the whole config:\n"
        "its schema, every template, and every policy it composes, with warnings for what AWS accepts but users\n"
        "regret. Every finding names its file, line or JSON path, and a stable code (docs/rules.md).",
        (0, 1, 2),
        "python -m ecr_lifecycle validate --config repositories.yaml --format json",
    )
    p.add_argument("--policy", metavar="FILE", help="a lifecycle policy JSON document ('-' for stdin)")
    add_config_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    p.add_argument(
        "--every-warning", action="store_true", help="one line per warning instead of one per code and origin"
    )
    inventory = p.add_mutually_exclusive_group()
    inventory.add_argument(
        "--images",
        nargs="+",
        metavar="PATH",
        help="an inventory (describe-images JSON, DIR/<target>/ layout): list entries that match no repository "
        "and repositories no entry matches",
    )
    inventory.add_argument("--live", action="store_true", help="the same against every target's live registry")
    p.add_argument("--target", help="with --images: the target a flat inventory belongs to")
    p.add_argument("--endpoint-url", help="with --live: ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="with --live: AWS profile")
    add_read_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.policy is not None:
        name = "<stdin>" if args.policy == "-" else args.policy
        checked = validate_policy(read_text(args.policy, "policy file"), name)
        if args.format == "json":
            print(views.policy_json(checked))
        else:
            print("\n".join(views.policy_lines(checked)), file=sys.stdout if checked.result.ok else sys.stderr)
        return exitcodes.OK if checked.result.ok else exitcodes.INVALID
    fleet = load_fleet_or_fail(args.config, reaches_aws=args.live)
    result = validate_config(fleet)
    covered = coverage(fleet, _repository_names(args, fleet)) if args.images or args.live else None
    if args.format == "json":
        doc = json.loads(views.config_json(result))
        if covered is not None:
            doc["coverage"] = views.coverage_json(covered)
        print(json.dumps(doc, indent=2))
    else:
        print(views.config_text(result, every=args.every_warning))
        if covered is not None and (covered.idle_entries or covered.unmatched):
            print(views.coverage_text(covered))
    return exitcodes.OK


def _repository_names(args: argparse.Namespace, fleet: Fleet) -> dict[str, list[str]]:
    if args.images:
        images = assign_targets(load_by_target(args.images, args.target, fleet.target_names), fleet)
        return {str(t): [i.repository for i in batch] for t, batch in images.items()}
    from ecr_lifecycle.aws.inventory import repository_names
    from ecr_lifecycle.aws.reads import RegistryReadError, per_target
    from ecr_lifecycle.aws.session import check_account, ecr_client

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Target) -> list[str]:
        check_account(target, profile=args.profile, endpoint_url=endpoint)
        scheduler = scheduler_for(args, target)
        client = scheduler.attach(ecr_client(target, profile=args.profile, endpoint_url=endpoint))
        try:
            names = repository_names(client)
        except RegistryReadError as exc:
            raise CliError(f"target {target.name}: {exc}", 1) from None
        report_reads(args, target, scheduler)
        return names

    with aws_failures():
        return {t.name: names for t, names in zip(fleet.targets, per_target(read, fleet.targets), strict=True)}
