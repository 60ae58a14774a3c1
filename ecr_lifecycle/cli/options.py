"""Inputs several commands share: the evaluation time, the in-use list, inventories by target."""

from __future__ import annotations

import argparse
import math
import os

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, read_text
from ecr_lifecycle.core.preview.guards import BadReference, ImageRef, parse_references
from ecr_lifecycle.core.preview.inventory import Image, InventoryError, load_inventory, parse_time


def price_per_gb(text: str) -> float:
    """``--price-per-gb``: a finite, non-negative number of dollars (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a price of 0 or more dollars")
    return value


def add_price_argument(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--price-per-gb",
        type=price_per_gb,
        default=default,
        metavar="USD",
        help="storage price per GB-month (default: %(default)s)",
    )


def horizon_days(text: str) -> int:
    """``--horizon``: whole days, ``14`` or ``14d``, from 1 to 365 (argparse type)."""
    value = text.strip().lower().removesuffix("d")
    if not value.isdigit() or not 1 <= int(value) <= 365:
        raise argparse.ArgumentTypeError(f"{text!r}: give whole days from 1 to 365, like 14d")
    return int(value)


def parse_now(text: str | None, default: float) -> float:
    """``--now``: ISO 8601 or epoch seconds; ``default`` when the flag is absent."""
    if text is None:
        return default
    try:
        return parse_time(text, "--now")
    except InventoryError as exc:
        raise CliError(str(exc)) from None


def read_in_use(path: str | None) -> list[ImageRef]:
    """``--in-use FILE``: image references, one a line or a JSON list (an unreadable reference is exit 1)."""
    if path is None:
        return []
    try:
        return parse_references(read_text(path, "in-use list"), path)
    except BadReference as exc:
        raise CliError(str(exc), exitcodes.INVALID) from None


def inventory_paths(paths: list[str], target: str | None, names: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """Inventory paths with their targets, in order. A folder with sub-folders named after targets
    (``DIR/<target>/``, as ``preview --live --save-inventory`` writes it) sorts itself; anything else belongs
    to ``target`` (``None`` until the use case decides)."""
    out: list[tuple[str | None, str]] = []
    for path in paths:
        subdirs = [n for n in names if os.path.isdir(os.path.join(path, n))] if os.path.isdir(path) else []
        if subdirs and target is None:
            out += [(name, os.path.join(path, name)) for name in subdirs]
        else:
            out.append((target, path))
    return out


def load_by_target(paths: list[str], target: str | None, names: tuple[str, ...]) -> dict[str | None, list[Image]]:
    """Images by target (``inventory_paths``)."""
    by_target: dict[str | None, list[Image]] = {}
    try:
        for name, path in inventory_paths(paths, target, names):
            by_target.setdefault(name, []).extend(load_inventory([path]))
    except InventoryError as exc:
        raise CliError(str(exc), exitcodes.USAGE if exc.unreadable else exitcodes.INVALID) from None
    return by_target
