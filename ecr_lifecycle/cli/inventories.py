"""Inventory files for ``preview`` and ``diff``: which target each set of images belongs to."""

from __future__ import annotations

import os

from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.core.preview.inventory import Image, InventoryError, load_inventory


def load_by_target(paths: list[str], target: str | None, names: list[str]) -> dict[str | None, list[Image]]:
    """Images by target. A folder with sub-folders named after targets (``DIR/<target>/``, as
    ``preview --live --save-inventory`` writes it) sorts itself; anything else belongs to ``target``
    (``None`` until ``pick_target`` decides)."""
    by_target: dict[str | None, list[Image]] = {}
    try:
        for path in paths:
            subdirs = [n for n in names if os.path.isdir(os.path.join(path, n))] if os.path.isdir(path) else []
            if subdirs and target is None:
                for name in subdirs:
                    by_target.setdefault(name, []).extend(load_inventory([os.path.join(path, name)]))
            else:
                by_target.setdefault(target, []).extend(load_inventory([path]))
    except InventoryError as exc:
        raise CliError(str(exc), exitcodes.USAGE) from None
    return by_target


def pick_target(target: str | None, names: list[str]) -> str:
    if target is not None:
        if target not in names:
            raise CliError(f"unknown target {target!r} (defined: {', '.join(names)})")
        return target
    if len(names) == 1:
        return names[0]
    raise CliError(f"the config has {len(names)} targets; choose one with --target or lay the inventory out as "
                   "DIR/<target>/*.json")
