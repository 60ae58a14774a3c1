"""``render REPOSITORY``: the policy a repository gets, and where each rule came from."""

from __future__ import annotations

import argparse
from typing import Any

from ecr_lifecycle.app.config import render_repository
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.views import config as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "render",
        "print the policy a repository gets and where its rules came from",
        "Prints the lifecycle policy a repository gets (by exact name or by the first matching pattern), rule by\n"
        "rule with the template each rule came from, once per distinct policy across targets.",
        (0, 1, 2),
        "python -m ecr_lifecycle render payments/api --target prod-eu",
    )
    p.add_argument("repository", help="repository name (exact, or one a configured pattern matches)")
    p.add_argument("--target", help="only this target (default: every target the repository is configured for)")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="text: annotated; json: only the policy document"
    )
    add_config_argument(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    rendered = render_repository(load_fleet_or_fail(args.config), args.repository, args.target)
    if args.format == "json":
        texts = views.rendered_json(rendered)
        if len(texts) > 1:
            raise CliError(f"{args.repository!r} gets different policies per target; choose one with --target")
        print(texts.pop())
    else:
        print(views.rendered_text(rendered))
    return exitcodes.OK
