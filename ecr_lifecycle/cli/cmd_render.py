"""``render REPOSITORY``: the policy a repository gets, and where each rule came from."""

from __future__ import annotations

import argparse
from typing import Any

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.core.policy.render import render_policy


def register(sub: Any) -> None:
    p = sub.add_parser("render", help="print the policy a repository gets and where its rules came from")
    p.add_argument("repository", help="repository name (exact, or one a configured pattern matches)")
    p.add_argument("--target", help="only this target (default: every target the repository is configured for)")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="text: annotated; json: only the policy document"
    )
    add_config_argument(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    fleet = load_fleet_or_fail(args.config)
    names = [t.name for t in fleet.targets]
    if args.target is not None and args.target not in names:
        raise CliError(f"unknown target {args.target!r} (defined: {', '.join(names)})")
    found = []
    for target in names if args.target is None else [args.target]:
        entry = fleet.entry_for(target, args.repository)
        if entry is not None:
            found.append(entry)
    if not found:
        raise CliError(
            f"no repository entry or pattern in {fleet.source} matches {args.repository!r}", exitcodes.INVALID
        )
    if args.format == "json":
        texts = {render_policy(e.composed.policy, indent=2) for e in found}
        if len(texts) > 1:
            raise CliError(f"{args.repository!r} gets different policies per target; choose one with --target")
        print(texts.pop())
        return exitcodes.OK
    for entry in found:
        how = "exact name" if entry.name is not None else f"pattern {entry.pattern!r}"
        print(f"# {args.repository} in target {entry.target!r}: {how}, {entry.where}")
        print(f"# templates: {', '.join(entry.composed.templates) or '(none)'}")
        for source in entry.composed.sources:
            rule = next(r for r in entry.composed.policy.rules if r.rule_priority == source.priority)
            print(f"#   rule {source.priority}: {source.origin}: {rule.description or ''}".rstrip(": "))
        for w in entry.composed.warnings:
            print(f"# {w.render()}")
        print(render_policy(entry.composed.policy, indent=2))
    return exitcodes.OK
