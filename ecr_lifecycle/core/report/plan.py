"""What a Terraform plan of a stack would do, counted: add, change, destroy (replacements included), import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StackSummary:
    stack: str
    add: int
    change: int
    destroy: int
    imports: int
    saved: str | None = None
    forget: int = 0  # dropped from state, left in AWS (``removed`` with ``destroy = false``)

    @property
    def changes(self) -> bool:
        return bool(self.add or self.change or self.destroy or self.imports or self.forget)

    def text(self) -> str:
        if not self.changes:
            return f"{self.stack}: no changes"
        parts = [f"{self.add} to add", f"{self.change} to change", f"{self.destroy} to destroy"]
        if self.imports:
            parts.append(f"{self.imports} to import")
        if self.forget:
            parts.append(f"{self.forget} to forget")
        return f"{self.stack}: " + ", ".join(parts)


def summarize(stack: str, plan: Mapping[str, Any], saved: str | None = None) -> StackSummary:
    """Counts from ``terraform show -json`` the way ``terraform plan`` words them (a replace is 1 add, 1 destroy)."""
    add = change = destroy = imports = forget = 0
    for resource in plan.get("resource_changes") or ():
        if resource.get("mode") != "managed":
            continue
        change_ = resource.get("change") or {}
        actions = change_.get("actions") or []
        if change_.get("importing"):
            imports += 1
        add += "create" in actions
        destroy += "delete" in actions
        change += actions == ["update"]
        forget += actions == ["forget"]
    return StackSummary(stack, add, change, destroy, imports, saved, forget)


_BOX = re.compile(r"^[│╷╵] ?", re.M)


def error_blocks(output: str) -> list[str]:
    """Terraform's ``Error:`` blocks (each from its ``Error:`` line to the end of its box), without the box."""
    text = _BOX.sub("", output)
    starts = [m.start() for m in re.finditer(r"^Error: ", text, re.M)]
    blocks = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        block = text[start:end].strip()
        if block:
            blocks.append(re.sub(r"\n{3,}", "\n\n", block))
    return blocks
