"""``synth``: the app's synthesis (what ``cdktf synth`` runs), without the cdktf command line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from types import ModuleType
from typing import Any

from ecr_lifecycle.cli.help import add_command


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "synth",
        "synthesize the Terraform stacks into cdktf.out (what cdktf synth runs)",
        "Loads and validates the config, builds one stack per target and writes cdktf.out/ in one step: an\n"
        "invalid config writes nothing and leaves the previous output as it was. The engine is cdktf 0.21,\n"
        "or CDK Terrain with ECR_LIFECYCLE_ENGINE=cdktn.",
        (0, 1, 2),
        "ecr-lifecycle synth --config repositories.yaml --outdir cdktf.out",
    )
    p.add_argument("--config", help="fleet config (default: $ECR_LIFECYCLE_CONFIG, else repositories.yaml)")
    p.add_argument(
        "--outdir",
        default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"),
        help="output folder, replaced in one step (default: $CDKTF_OUTDIR, else %(default)s)",
    )
    p.add_argument("--verbose", action="store_true", help="print the timing line")
    p.set_defaults(handler=handle, quick_exit=True)


def stacks_app() -> ModuleType:
    """The stacks package: inside the installed wheel, or this checkout's top-level ``stacks/``."""
    try:
        return importlib.import_module("ecr_lifecycle.stacks.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("ecr_lifecycle.stacks", "ecr_lifecycle.stacks.app"):
            raise
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if checkout not in sys.path:
        sys.path.insert(0, checkout)
    return importlib.import_module("stacks.app")


def handle(args: argparse.Namespace) -> int:
    argv = ["--outdir", args.outdir, *(["--config", args.config] if args.config else [])]
    argv += ["--verbose"] if args.verbose else []
    code: int = stacks_app().run(argv, prog="ecr-lifecycle synth", retained=args.retained)
    return code
