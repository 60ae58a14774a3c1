"""The terminal table for ``preview --format table``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ecr_lifecycle.core.preview.formats import UPPER_BOUND_NOTE, totals
from ecr_lifecycle.core.preview.report import human_bytes, iso
from ecr_lifecycle.core.preview.run import FleetPreview


def print_table(result: FleetPreview, now: float, price: float) -> None:
    console = Console(width=max(100, Console().width))
    table = Table(title=f"ECR lifecycle preview at {iso(now)}", title_justify="left")
    for column in ("repository", "images", "expire", "archive", "keep", "freed (upper bound)", "$/month"):
        table.add_column(column, justify="left" if column == "repository" else "right")
    impacts = [r.impact(price) for r in result.repositories]
    for i in impacts:
        table.add_row(
            i["repositoryName"],
            str(i["images"]),
            str(i["expiring"]),
            str(i["archiving"]),
            str(i["kept"]),
            human_bytes(i["expiringBytes"]),
            f"{i['savingsPerMonthUpperBound']:.2f}",
        )
    t = totals(impacts, price)
    table.add_section()
    table.add_row(
        "total",
        str(t["images"]),
        str(t["expiring"]),
        str(t["archiving"]),
        str(t["kept"]),
        human_bytes(t["expiringBytes"]),
        f"{t['savingsPerMonthUpperBound']:.2f}",
        style="bold",
    )
    console.print(table)
    if result.unmanaged:
        console.print(f"no configured policy: {', '.join(result.unmanaged)}")
    console.print(f"[dim]{UPPER_BOUND_NOTE}[/dim]")
