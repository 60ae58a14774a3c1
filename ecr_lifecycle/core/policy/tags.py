"""How rule tag lists match image tags (UG-LP "Lifecycle policy evaluation rules").

A rule's list matches an image when every entry matches at least one of the image's
tags (AND across entries; one tag may satisfy several entries, which is unverified).
Prefix entries match by ``startswith``; pattern entries match the whole tag, ``*``
standing for any run of characters, possibly empty. Matching is case-sensitive
(unverified; ECR tags are case-sensitive everywhere else).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ecr_lifecycle.core.policy.model import Selection


@lru_cache(maxsize=4096)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def pattern_matches(pattern: str, tag: str) -> bool:
    if "*" not in pattern:
        return pattern == tag
    return pattern_regex(pattern).fullmatch(tag) is not None


def entry_matches(entry: str, tag: str, *, is_pattern: bool) -> bool:
    return pattern_matches(entry, tag) if is_pattern else tag.startswith(entry)


def list_matches(selection: Selection, tags: Iterable[str]) -> bool:
    """True when every entry of the selection's tag list matches one of ``tags``."""
    entries = selection.tag_list
    tags = tuple(tags)
    is_pattern = selection.uses_patterns
    return all(any(entry_matches(e, t, is_pattern=is_pattern) for t in tags) for e in entries)


def as_pattern(entry: str, *, is_pattern: bool) -> str:
    """A prefix ``p`` matches the same tags as the pattern ``p*``."""
    return entry if is_pattern else entry + "*"


def pattern_covers(general: str, specific: str) -> bool:
    """Conservative test that every tag matching ``specific`` also matches ``general``.

    Returns False when unsure, so callers never claim coverage that does not hold.
    """
    if general == specific or general == "*":
        return True
    if "*" not in general:
        return False
    g_head, _, g_rest = general.partition("*")
    s_head, s_star, _ = specific.partition("*")
    if g_rest == "" and general.count("*") == 1:  # "abc*": covers anything whose literal head starts with abc
        return (s_head if s_star else specific).startswith(g_head)
    if g_head == "" and general.count("*") == 1 and "*" not in specific:  # "*xyz": covers literals ending in xyz
        return specific.endswith(g_rest)
    return False
