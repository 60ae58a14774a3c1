"""``preview``: placeholder registration, filled in by the preview module."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    return None
