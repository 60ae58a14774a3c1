"""Progress of live reads (repositories read / total): on a terminal, or with ``--progress``; quiet in CI logs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Tick = Callable[[str, int, int], None]  # (what was just read, done, total)


def add_progress_argument(parser: Any) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show progress even when stderr is not a terminal (default: only on a terminal)",
    )


@contextmanager
def progress(label: str, forced: bool) -> Iterator[Tick]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    shown = forced or sys.stderr.isatty()
    console = Console(file=sys.stderr, force_terminal=forced or None)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=not shown) as bar:
        task = bar.add_task(label, total=None)

        def tick(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{label}: {name}")

        yield tick
