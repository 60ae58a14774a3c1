"""How rule tag lists match image tags ("Lifecycle policy evaluation rules",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html).

A rule's list matches an image when every entry matches at least one of the image's
tags (AND across entries; one tag may satisfy several entries, which is unverified).
Prefix entries match by ``startswith``; pattern entries match the whole tag, ``*``
standing for any run of characters, possibly empty. Matching is case-sensitive
(unverified; ECR tags are case-sensitive everywhere else).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

GlobMatcher = Callable[[str], bool]


@lru_cache(maxsize=4096)
def glob_matcher(pattern: str) -> GlobMatcher:
    """A whole-string matcher for a tag pattern, ``*`` matching any run of characters.

    No regex: a backtracking engine is polynomial on patterns like ``*a*a*a*b``. Split on ``*``,
    anchor the first piece at the start and the last at the end, and find the middle pieces
    leftmost-first in between; leftmost is always right for ``*`` globs, so this never backtracks.
    """
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return pattern.__eq__
    head, *middle, tail = pieces
    minimum = len(head) + len(tail) + sum(len(m) for m in middle)

    def matches(tag: str) -> bool:
        if len(tag) < minimum or not tag.startswith(head) or not tag.endswith(tail):
            return False
        position, end = len(head), len(tag) - len(tail)
        for piece in middle:
            found = tag.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    return matches


def pattern_matches(pattern: str, tag: str) -> bool:
    return glob_matcher(pattern)(tag)


def entry_matches(entry: str, tag: str, *, is_pattern: bool) -> bool:
    return pattern_matches(entry, tag) if is_pattern else tag.startswith(entry)


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
