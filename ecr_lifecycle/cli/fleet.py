"""Shared ``--config`` handling: load the fleet or fail with located one-line errors."""

from __future__ import annotations

import argparse
import os
import sys

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.forking import forked_split
from ecr_lifecycle.core.config.load import CONFIG_ENV, DEFAULT_CONFIG, config_path, load_fleet
from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.sourcefile import SourceError


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"fleet config (default: ${CONFIG_ENV}, else {DEFAULT_CONFIG})",
    )


def load_fleet_or_fail(explicit: str | None, *, reaches_aws: bool = False, text: str | None = None) -> Fleet:
    """``reaches_aws``: resolve ``${VAR}`` endpoints from the environment (a missing variable is an error).
    ``text``: the config's text, already read (default: read the file)."""
    path = config_path(explicit)
    try:
        return load_fleet(path, os.environ if reaches_aws else None, forked_split, text=text)
    except SourceError as exc:
        for message in exc.messages[:-1]:
            print(f"error: {message}", file=sys.stderr)
        raise CliError(exc.messages[-1], exitcodes.USAGE if exc.unreadable else exitcodes.INVALID) from None
