"""``validate``: one policy document (``--policy``) or the whole config and every composed policy."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, read_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.core.policy.check import check_policy, decode_json


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="check a policy document, or the config and every policy it composes")
    p.add_argument("--policy", metavar="FILE", help="a lifecycle policy JSON document ('-' for stdin)")
    add_config_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.policy is not None:
        return _validate_policy(args.policy, args.format)
    fleet = load_fleet_or_fail(args.config)
    warnings = [(repo.key, w) for repo in fleet.all_policies() for w in repo.warnings]
    if args.format == "json":
        doc = {
            "valid": True,
            "config": fleet.source,
            "policies": len(fleet.all_policies()),
            "warnings": [dict(w.as_dict(), where=where) for where, w in warnings],
        }
        print(json.dumps(doc, indent=2))
    else:
        for where, w in warnings:
            print(f"{where}: {w.render()}")
        print(
            f"{fleet.source}: valid: {len(fleet.targets)} target(s), {len(fleet.all_policies())} repository "
            f"policies and creation templates, {len(warnings)} warning(s)"
        )
    return exitcodes.OK


def _validate_policy(path: str, fmt: str) -> int:
    text = read_text(path, "policy file")
    name = "<stdin>" if path == "-" else path
    try:
        data = decode_json(text)
    except (ValueError, RecursionError) as exc:
        # Not JSON at all is a usage problem (exit 2), not an invalid policy.
        raise CliError(f"{name}: not valid JSON: {exc}", exitcodes.USAGE) from None
    result = check_policy(data)
    if fmt == "json":
        doc = {"file": name, "valid": result.ok, "findings": [f.as_dict() for f in result.findings]}
        print(json.dumps(doc, indent=2))
    else:
        out = sys.stdout if result.ok else sys.stderr
        for f in result.findings:
            print(f"{name}: {f.render()}", file=out)
        if result.ok:
            print(f"{name}: valid ({len(result.warnings)} warning(s))")
        else:
            print(f"{name}: invalid: {len(result.errors)} error(s), {len(result.warnings)} warning(s)", file=out)
    return exitcodes.OK if result.ok else exitcodes.INVALID
