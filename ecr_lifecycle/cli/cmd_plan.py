"""``plan`` and ``stacks``: synthesize once, plan every selected stack (in parallel), summarize."""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ecr_lifecycle.app.plan import PlanReport, explain_failure, github_matrix, select_stacks
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.core.config.load import config_path
from ecr_lifecycle.core.report.plan import summarize
from ecr_lifecycle.views import plan as views


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "plan",
        "synthesize once and run a Terraform plan for every selected stack",
        "Synthesizes the app (main.py beside cdktf.json) once, then runs terraform init and plan in each selected\n"
        "stack folder, up to --parallel at a time, and prints each stack's add/change/destroy/import counts.\n"
        "cdktf diff takes a single stack; this plans them all. --out keeps each saved plan for a later apply.",
        (0, 1, 2, 4),
        "python -m ecr_lifecycle plan 'prod-*' --parallel 4 --out plans/",
    )
    p.add_argument("stacks", nargs="*", metavar="STACK_GLOB", help="stacks to plan (shell globs; default: all)")
    add_config_argument(p)
    p.add_argument("--parallel", type=int, default=2, metavar="N", help="stacks planned at once (default: 2)")
    p.add_argument("--out", metavar="DIR", help="keep each stack's saved plan as DIR/<stack>.tfplan")
    p.add_argument("--outdir", default="cdktf.out", help="synthesis output folder (default: %(default)s)")
    p.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format (default: %(default)s)"
    )
    p.set_defaults(handler=handle_plan)

    s = add_command(
        sub,
        "stacks",
        "print the stack names (one per target), or a GitHub Actions matrix of them",
        "Prints the names of the stacks the config synthesizes (one per target), one per line, or with\n"
        "--format github-matrix the JSON a workflow's strategy.matrix takes through fromJSON.",
        (0, 1, 2),
        "python -m ecr_lifecycle stacks --format github-matrix",
    )
    s.add_argument("stacks", nargs="*", metavar="STACK_GLOB", help="only the stacks these globs name")
    add_config_argument(s)
    s.add_argument(
        "--format", choices=("lines", "github-matrix"), default="lines", help="output format (default: %(default)s)"
    )
    s.set_defaults(handler=handle_stacks)


def handle_stacks(args: argparse.Namespace) -> int:
    chosen = select_stacks(load_fleet_or_fail(args.config), args.stacks)
    print(json.dumps(github_matrix(chosen)) if args.format == "github-matrix" else "\n".join(chosen))
    return exitcodes.OK


def handle_plan(args: argparse.Namespace) -> int:
    from ecr_lifecycle.terraform.runner import TerraformError, plan_stack, project_root, synthesize

    if args.parallel < 1:
        raise CliError("--parallel must be 1 or more")
    path = config_path(args.config)
    fleet = load_fleet_or_fail(path, reaches_aws=True)
    chosen = select_stacks(fleet, args.stacks)
    env = dict(os.environ)
    try:
        root = project_root(os.getcwd())
        outdir = os.path.join(root, args.outdir)
        synthesize(root, os.path.abspath(path), outdir, env)
        keep = os.path.abspath(args.out) if args.out else None

        def one(stack: str) -> Any:
            # A stack that fails does not stop the others: each is its own state and its own answer.
            try:
                return plan_stack(os.path.join(outdir, "stacks", stack), stack, env, keep)
            except TerraformError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=min(args.parallel, len(chosen)) or 1) as pool:
            results = list(pool.map(one, chosen))
    except TerraformError as exc:  # before any stack: the app's folder, the synthesis
        raise CliError(explain_failure(fleet, exc.stack, exc.output) or str(exc), exitcodes.INVALID) from None
    failed = [r for r in results if isinstance(r, TerraformError)]
    plans = [r for r in results if not isinstance(r, TerraformError)]
    report = PlanReport(tuple(summarize(p.stack, p.plan, p.saved) for p in plans))
    if args.format == "json":
        print(json.dumps(views.json_document(report), indent=2))
    elif args.format == "markdown":
        print(views.markdown(report), end="")
    else:
        print(views.plain_text(report))
    for failure in failed:
        print(f"error: {explain_failure(fleet, failure.stack, failure.output) or failure}", file=sys.stderr)
    if failed:
        planned = ", ".join(p.stack for p in plans) or "none"
        stacks = ", ".join(failure.stack for failure in failed)
        print(
            f"error: {len(failed)} of {len(results)} stack(s) failed to plan: {stacks} (planned: {planned})",
            file=sys.stderr,
        )
        return exitcodes.INVALID
    return exitcodes.CHANGES if report.changes else exitcodes.OK
