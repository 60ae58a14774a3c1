"""Adopt existing registries: the config and templates that reproduce their live policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ecr_lifecycle.core.config.adopt import Adoption, build_adoption
from ecr_lifecycle.core.templates.library import Library


def adopt_registries(
    targets: Sequence[Mapping[str, Any]],
    live: Mapping[str, Mapping[str, str | None]],
    schema: str,
    library: Library | None = None,
    library_texts: Mapping[str, str] | None = None,
) -> Adoption:
    """``targets``: the target entries to write, as the config holds them; ``live``: target -> repository ->
    live policy text (None: no policy); ``library``: templates to recognise first (their texts are copied into
    the new config's ``policies/``). ``schema``: the path the written files point their editors at."""
    return build_adoption(
        [dict(t) for t in targets],
        {k: dict(v) for k, v in live.items()},
        schema,
        library.templates if library is not None else None,
        library_texts,
    )
