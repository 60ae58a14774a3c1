"""``import``: write a config and templates that reproduce the live policies of existing registries."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.core.adopt import build_import
from ecr_lifecycle.core.sourcefile import SourceError, load_yaml, plain, read_file

SCHEMA = "ecr_lifecycle/core/config/schema/repositories.schema.json"


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="write a config reproducing the live policies (brownfield adoption)")
    p.add_argument("--output", required=True, metavar="DIR", help="folder for repositories.yaml and policies/")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--targets-from", metavar="FILE", help="a config whose 'targets' to read (and copy)")
    src.add_argument("--name", help="one target: its name (with --region)")
    p.add_argument("--region", help="with --name: the region")
    p.add_argument("--account-id", help="with --name: the account the provider must refuse to leave")
    p.add_argument("--endpoint-url", help="ECR endpoint (also AWS_ENDPOINT_URL)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--force", action="store_true", help="overwrite an existing config in --output")
    p.set_defaults(handler=handle)


def _targets(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.name is not None:
        if not args.region:
            raise CliError("--name needs --region")
        target: dict[str, Any] = {"name": args.name, "region": args.region}
        if args.account_id:
            target["account_id"] = args.account_id
        return [target]
    try:
        doc = load_yaml(args.targets_from, read_file(args.targets_from, "config file"))
    except SourceError as exc:
        raise CliError(exc.messages[0]) from None
    targets = doc.data.get("targets") if isinstance(doc.data, dict) else None
    if not isinstance(targets, list) or not targets:
        raise CliError(f"{args.targets_from}: no 'targets' list to import from", exitcodes.INVALID)
    return [plain(t) for t in targets]


def handle(args: argparse.Namespace) -> int:
    from ecr_lifecycle.aws.policies import RegistryReadError, read_policies
    from ecr_lifecycle.aws.session import ecr_client
    from ecr_lifecycle.core.config.model import Backend, Target

    config_path = os.path.join(args.output, "repositories.yaml")
    if os.path.exists(config_path) and not args.force:
        raise CliError(f"{config_path} exists; pass --force to overwrite it")
    raw_targets = _targets(args)
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    live: dict[str, dict[str, str | None]] = {}
    for raw in raw_targets:
        endpoints = tuple((k, os.path.expandvars(v)) for k, v in sorted((raw.get("endpoints") or {}).items()))
        target = Target(raw["name"], raw["region"], Backend("local"), raw.get("account_id"), raw.get("role_arn"),
                        raw.get("profile"), endpoints)
        try:
            live[target.name] = read_policies(ecr_client(target, profile=args.profile, endpoint_url=endpoint))
        except RegistryReadError as exc:
            raise CliError(f"target {target.name}: {exc}; nothing written", exitcodes.INVALID) from None
    result = build_import(raw_targets, live, _relative_schema(args.output))
    os.makedirs(os.path.join(args.output, "policies"), exist_ok=True)
    for name, text in result.templates.items():
        with open(os.path.join(args.output, "policies", name), "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(config_path, "w", encoding="utf-8") as fh:
        fh.write(result.config)
    print(f"{config_path}: {len(result.imported)} repositories imported into {len(result.templates)} template(s); "
          f"{len(result.without_policy)} without a policy, {len(result.skipped)} skipped", file=sys.stderr)
    for target_name, repository, why in result.skipped:
        print(f"skipped {target_name}/{repository}: {why}", file=sys.stderr)
    return exitcodes.OK


def _relative_schema(output: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.relpath(os.path.join(root, SCHEMA), os.path.abspath(output))
