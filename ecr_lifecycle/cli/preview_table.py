"""The terminal table for ``preview --format table``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ecr_lifecycle.core.preview.formats import UPPER_BOUND_NOTE, totals
from ecr_lifecycle.core.preview.report import human_bytes, iso
from ecr_lifecycle.core.preview.run import FleetPreview


def print_table(result: FleetPreview, now: float, price: float) -> None:
    console = Console(width=max(100, Console().width))
    table = Table(title=f"ECR lifecycle preview at {iso(now)}", title_justify="left")
    table.add_column("repository", no_wrap=True)
    for column in ("images", "expire", "archive", "keep", "$/month*"):
        table.add_column(column, justify="right", no_wrap=True)
    impacts = [r.impact(price) for r in result.repositories]
    for i in impacts:
        table.add_row(i["repositoryName"], *_cells(i))
    table.add_section()
    table.add_row("total", *_cells(totals(impacts, price)), style="bold")
    console.print(table)
    if result.unmanaged:
        console.print(f"no configured policy: {', '.join(result.unmanaged)}")
    console.print(f"[dim]* {UPPER_BOUND_NOTE}[/dim]")


def _cells(i: dict[str, Any]) -> list[str]:
    """Counts with their sizes: images, expired, archived, kept, and the monthly saving."""
    return [
        str(i["images"]),
        f"{i['expiring']} · {human_bytes(i['expiringBytes'])}",
        f"{i['archiving']} · {human_bytes(i['archivingBytes'])}",
        f"{i['kept']} · {human_bytes(i['keptBytes'])}",
        f"{i['savingsPerMonthUpperBound']:.2f}",
    ]
