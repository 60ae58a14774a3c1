"""Adopt existing registries: the config and templates that reproduce their live policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ecr_lifecycle.core.config.adopt import Adoption, build_adoption


def adopt_registries(
    targets: Sequence[Mapping[str, Any]], live: Mapping[str, Mapping[str, str | None]], schema: str
) -> Adoption:
    """``targets``: the target entries to write, as the config holds them; ``live``: target -> repository ->
    live policy text (None: no policy). ``schema``: the path the written files point their editors at."""
    return build_adoption([dict(t) for t in targets], {k: dict(v) for k, v in live.items()}, schema)
