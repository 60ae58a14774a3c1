"""Image references with the workloads that use them, and the JSON ``in-use`` writes (``--in-use FILE``
reads it back, in ``preview.guards``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ecr_lifecycle.core.preview.guards import BadReference, ImageRef, Usage, parse_reference


@dataclass(frozen=True)
class InUse:
    reference: ImageRef
    used_by: tuple[Usage, ...]


def merge(found: Iterable[tuple[str, Usage]], source: str) -> list[InUse]:
    """(reference text, usage) pairs -> one entry per reference, usages in first-seen order; bad references
    (a workload may run anything) are skipped, never guessed."""
    by_text: dict[str, list[Usage]] = {}
    for text, usage in found:
        uses = by_text.setdefault(text.strip(), [])
        if usage not in uses:
            uses.append(usage)
    out = []
    for text, uses in sorted(by_text.items()):
        try:
            out.append(InUse(parse_reference(text, source), tuple(uses)))
        except BadReference:
            continue
    return out


def to_json(images: Iterable[InUse]) -> dict[str, Any]:
    return {
        "images": [
            {
                "reference": i.reference.text,
                "usedBy": [{"kind": u.kind, "name": u.name, "detail": u.detail} for u in i.used_by],
            }
            for i in images
        ]
    }
