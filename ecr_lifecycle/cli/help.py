"""One shape for every subcommand's ``--help``: what it does, its exit codes, an example."""

from __future__ import annotations

import argparse
from typing import Any

from ecr_lifecycle.cli import exitcodes

_CODES = {
    exitcodes.OK: "done",
    exitcodes.INVALID: "invalid input (policy, config, template, inventory content) or AWS unreachable",
    exitcodes.USAGE: "usage error: bad flags, unreadable file, not JSON/YAML, output not written",
    exitcodes.GUARD: "a guard tripped (an in-use image would be removed, or too many images)",
    exitcodes.CHANGES: "changes or drift found",
}


def add_command(
    sub: Any, name: str, summary: str, description: str, codes: tuple[int, ...], example: str
) -> argparse.ArgumentParser:
    epilog = "exit codes:\n" + "".join(f"  {c}  {_CODES[c]}\n" for c in codes) + f"\nexample:\n  {example}\n"
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser
