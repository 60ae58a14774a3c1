""" "Did you mean …?" for names people type: templates, parameters, targets, keys, regions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else the empty string."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match is not None and match != word else ""
