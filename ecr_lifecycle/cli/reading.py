"""The flags every live command shares for its reads (``--concurrency``, ``--max-rps``, ``--verbose``), and the
per-target scheduler they make (``aws/reads.py``)."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from ecr_lifecycle.aws.reads import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, ReadLimits, ReadScheduler
from ecr_lifecycle.core.config.model import Target


def _concurrency(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from 1 to {MAX_CONCURRENCY}")
    return int(text)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of requests per second above 0")
    return value


def add_read_arguments(parser: Any) -> None:
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help="requests in flight per target (default: %(default)s)",
    )
    parser.add_argument(
        "--max-rps",
        type=_rate,
        metavar="RATE",
        help="requests per second per API action and target, for every action (default: from ECR's quotas, "
        "or the target's read_rates)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="report each target's requests and throttling retries on stderr"
    )


def scheduler_for(args: argparse.Namespace, target: Target) -> ReadScheduler:
    """A scheduler for ``target``: the flags' limits with the target's ``read_rates`` over the defaults."""
    base = ReadLimits(getattr(args, "concurrency", DEFAULT_CONCURRENCY), max_rps=getattr(args, "max_rps", None))
    return ReadScheduler(base.for_target(target.read_rates))


def report_reads(args: argparse.Namespace, target: Target, scheduler: ReadScheduler) -> None:
    """With ``--verbose``: one line of what reading ``target`` took (retries are throttled or failed tries)."""
    if getattr(args, "verbose", False):
        print(
            f"target {target.name}: {scheduler.calls} requests, {scheduler.retries} retries",
            file=sys.stderr,
        )
