"""``validate``: one policy document (``--policy``) or the whole config and every composed policy."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ecr_lifecycle.app.config import validate_config
from ecr_lifecycle.app.policies import validate_policy
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import read_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
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
    result = validate_config(load_fleet_or_fail(args.config))
    print(views.config_json(result) if args.format == "json" else views.config_text(result))
    return exitcodes.OK
