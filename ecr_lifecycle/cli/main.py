"""Argument parsing and dispatch. Each command lives in its own module under ``cli``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from ecr_lifecycle import __version__
from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.exiting import leave
from ecr_lifecycle.cli.output import Output


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump: the usage is one --help away.
        self.exit(exitcodes.USAGE, f"{self.prog}: error: {message} (see --help)\n")


def default_prog() -> str:
    """``ecr-lifecycle`` from the console script, ``python -m ecr_lifecycle`` otherwise."""
    return "python -m ecr_lifecycle" if sys.argv[0].endswith("__main__.py") else "ecr-lifecycle"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    from ecr_lifecycle.cli import (
        cmd_completion,
        cmd_diff,
        cmd_drift,
        cmd_import,
        cmd_init,
        cmd_inuse,
        cmd_plan,
        cmd_preview,
        cmd_prune_adopt,
        cmd_render,
        cmd_synth,
        cmd_validate,
    )

    parser = _Parser(prog=prog or default_prog(), description="ECR lifecycle policies as code.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd_validate.register(sub)
    cmd_render.register(sub)
    cmd_preview.register(sub)
    cmd_diff.register(sub)
    cmd_drift.register(sub)
    cmd_import.register(sub)
    cmd_prune_adopt.register(sub)
    cmd_inuse.register(sub)
    cmd_plan.register(sub)
    cmd_synth.register(sub)
    cmd_init.register(sub)
    cmd_completion.register(sub)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run its command, return the exit code (errors reported on stderr, never raised)."""
    return _run(argv)[0]


def main() -> NoReturn:
    """The process's entry point (console script, ``python -m``): ``run``, then exit.

    After a command that marks itself ``quick_exit`` (one that leaves nothing behind for the interpreter's
    teardown to finish), the process leaves without freeing its objects one by one (``exiting.leave``).
    Output that could not be written makes the exit code at least 2 (``output.Output``)."""
    output = Output()  # before the arguments are read: --version and argparse's messages go through it too
    args: argparse.Namespace | None = None
    try:
        code, args = _run(None)  # ``args.retained`` keeps the command's data alive until the process leaves
    except SystemExit as exc:  # argparse has answered (--version, --help) or refused the arguments
        code = exc.code if isinstance(exc.code, int) else exitcodes.OK if exc.code is None else exitcodes.USAGE
    code = output.finish(code)
    if args is not None and getattr(args, "quick_exit", False):
        leave(code)
    sys.exit(code)


def _run(argv: Sequence[str] | None) -> tuple[int, argparse.Namespace]:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.retained = []  # what a quick_exit command hands over so that it is not freed before the exit
    return _dispatch(args), args


def _dispatch(args: argparse.Namespace) -> int:
    try:
        code: int = args.handler(args)
        return code
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except UseCaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exitcodes.INVALID if exc.failure is Failure.INVALID else exitcodes.USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
