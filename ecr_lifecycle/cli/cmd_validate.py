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
from ecr_lifecycle.views import config as views


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="check a policy document, or the config and every policy it composes")
    p.add_argument("--policy", metavar="FILE", help="a lifecycle policy JSON document ('-' for stdin)")
    add_config_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
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
