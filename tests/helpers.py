"""Small builders the tests have in common."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any


def rule(
    priority: int,
    tag_status: str = "any",
    count_type: str = "imageCountMoreThan",
    count: int = 1,
    *,
    prefixes: list[str] | None = None,
    patterns: list[str] | None = None,
    unit: str | None = None,
    storage_class: str | None = None,
    action: str = "expire",
    target: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    selection: dict[str, Any] = {"tagStatus": tag_status}
    if prefixes is not None:
        selection["tagPrefixList"] = prefixes
    if patterns is not None:
        selection["tagPatternList"] = patterns
    if storage_class is not None:
        selection["storageClass"] = storage_class
    selection["countType"] = count_type
    if unit is None and count_type != "imageCountMoreThan":
        unit = "days"
    if unit:
        selection["countUnit"] = unit
    selection["countNumber"] = count
    act: dict[str, Any] = {"type": action}
    if target is not None:
        act["targetStorageClass"] = target
    out: dict[str, Any] = {"rulePriority": priority}
    out["description"] = description if description is not None else f"test rule {priority} for the validator"
    out["selection"] = selection
    out["action"] = act
    return out


def at(seconds: float) -> datetime:
    """Epoch seconds as the aware datetime an ``Image`` holds."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def at_or_none(seconds: float | None) -> datetime | None:
    return None if seconds is None else at(seconds)


def policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


def text(doc: Any) -> str:
    return json.dumps(doc)


def record_forks(monkeypatch: Any) -> list[int]:
    """The pids of the children ``os.fork`` makes from now on in this process (for checks that they are reaped)."""
    children: list[int] = []
    fork = os.fork

    def recorded_fork() -> int:
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded_fork)
    return children
