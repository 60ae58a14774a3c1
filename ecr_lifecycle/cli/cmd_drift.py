"""``drift``: live lifecycle policies against the config, for every target (exit 4 when drifted)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.core.drift import Drift, drift_markdown, drift_text, find_drift


def register(sub: Any) -> None:
    p = sub.add_parser("drift", help="compare live policies with the config (exit 4 when they differ)")
    add_config_argument(p)
    p.add_argument("--target", action="append", help="only this target (repeatable; default: all)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--endpoint-url", help="ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from ecr_lifecycle.aws.policies import RegistryReadError, read_policies
    from ecr_lifecycle.aws.session import ecr_client

    fleet = load_fleet_or_fail(args.config, reaches_aws=True)
    names = [t.name for t in fleet.targets]
    for wanted in args.target or []:
        if wanted not in names:
            raise CliError(f"unknown target {wanted!r} (defined: {', '.join(names)})")
    targets = [t for t in fleet.targets if not args.target or t.name in args.target]
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")

    def read(target: Any) -> tuple[str, dict[str, str | None]]:
        return target.name, read_policies(ecr_client(target, profile=args.profile, endpoint_url=endpoint))

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(4, len(targets)))) as pool:
            live = dict(pool.map(read, targets))
    except RegistryReadError as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None
    drifts: list[Drift] = []
    for target in targets:
        drifts += find_drift(fleet, target.name, live[target.name])
    checked = sum(len(v) for v in live.values())
    if args.format == "json":
        json.dump({"checked": checked, "drifted": len(drifts), "drift": [d.as_dict() for d in drifts]},
                  sys.stdout, indent=2)
        print()
    elif args.format == "markdown":
        print(drift_markdown(drifts, checked), end="")
    else:
        print(drift_text(drifts, checked))
    return exitcodes.CHANGES if drifts else exitcodes.OK
