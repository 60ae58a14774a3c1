"""Which configured entry a repository name belongs to. Synthesis, preview and drift all use this.

Globs: ``*`` is any run of characters except ``/``, ``**`` any run including ``/``, ``?``
one character other than ``/``. The same glob compiles to a Python regex for offline
work and to an RE2 regex (Terraform's ``regex()``) for plan-time discovery; both are
built from one translation so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# ECR repository names use lowercase letters, digits, '.', '_', '-' and '/'.
_GLOB_CHARS = re.compile(r"^[a-z0-9._/*?-]+\Z")


class GlobError(ValueError):
    pass


def glob_to_regex(glob: str) -> str:
    """An anchored regex accepted alike by Python's ``re`` and RE2 (no backslashes: HCL-safe)."""
    if not _GLOB_CHARS.match(glob):
        bad = sorted({c for c in glob if not re.match(r"[a-z0-9._/*?-]", c)})
        raise GlobError(
            f"glob {glob!r} has characters repository names never contain ({''.join(bad)!r}); "
            "use lowercase letters, digits, . _ - / and the wildcards * ** ?"
        )
    if "***" in glob:
        raise GlobError(f"glob {glob!r} has '***'; use '*' (within one path segment) or '**' (across segments)")
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        c = glob[i]
        out.append({"*": "[^/]*", "?": "[^/]", ".": "[.]"}.get(c, c))
        i += 1
    return "^" + "".join(out) + "$"


@lru_cache(maxsize=4096)
def _compiled(glob: str) -> re.Pattern[str]:
    return re.compile(glob_to_regex(glob))


def glob_matches(glob: str, name: str) -> bool:
    return _compiled(glob).match(name) is not None


@dataclass(frozen=True)
class PatternEntry:
    """A pattern with its exclusions and the policy key it assigns."""

    glob: str
    exclude: tuple[str, ...]
    policy_key: str
    adopt: bool = False  # import the existing policies of the repositories it matches on the next deploy

    def matches(self, name: str) -> bool:
        return glob_matches(self.glob, name) and not any(glob_matches(e, name) for e in self.exclude)


# Glob languages compared exactly: each glob is a small automaton over "positions" in the glob, and two
# are explored together over every character class that can make a difference.
_Token = tuple[str, str]  # ("lit", c) | ("one", "") | ("star", "") | ("any", "")


def _tokens(glob: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out.append(("any", ""))
            i += 2
        elif glob[i] == "*":
            out.append(("star", ""))
            i += 1
        elif glob[i] == "?":
            out.append(("one", ""))
            i += 1
        else:
            out.append(("lit", glob[i]))
            i += 1
    return out


def _closure(tokens: list[_Token], states: frozenset[int]) -> frozenset[int]:
    out = set(states)
    stack = list(states)
    while stack:
        i = stack.pop()
        if i < len(tokens) and tokens[i][0] in ("star", "any") and i + 1 not in out:
            out.add(i + 1)
            stack.append(i + 1)
    return frozenset(out)


def _step(tokens: list[_Token], states: frozenset[int], char: str) -> frozenset[int]:
    nxt = set()
    for i in states:
        if i >= len(tokens):
            continue
        kind, value = tokens[i]
        if (kind == "lit" and value == char) or (kind == "one" and char != "/"):
            nxt.add(i + 1)
        elif (kind == "star" and char != "/") or kind == "any":
            nxt.add(i)
    return _closure(tokens, frozenset(nxt))


def _explore(a: str, b: str, stop: Callable[[bool, bool], bool]) -> bool:
    """True when some name reaches a pair of states where ``stop(a accepts, b accepts)``."""
    ta, tb = _tokens(a), _tokens(b)
    literals = {v for k, v in ta + tb if k == "lit"}
    spare = next(c for c in "abcdefghijklmnopqrstuvwxyz0123456789._-~" if c not in literals)
    alphabet = sorted(literals | {"/", spare})
    start = (_closure(ta, frozenset({0})), _closure(tb, frozenset({0})))
    seen = {start}
    todo = [start]
    while todo:
        sa, sb = todo.pop()
        if stop(len(ta) in sa, len(tb) in sb):
            return True
        for char in alphabet:
            pair = (_step(ta, sa, char), _step(tb, sb, char))
            if pair not in seen and (pair[0] or pair[1]):
                seen.add(pair)
                todo.append(pair)
    return False


def _literal_prefix(glob: str) -> str:
    prefix = []
    for kind, value in _tokens(glob):
        if kind != "lit":
            break
        prefix.append(value)
    return "".join(prefix)


def _prefixes_clash(a: str, b: str) -> bool:
    """No name starts with both globs' literal prefixes (``team-a/`` and ``team-b/``): they share no name.
    Most pattern pairs in a large config are told apart here, without exploring their automata."""
    pa, pb = _literal_prefix(a), _literal_prefix(b)
    return not (pa.startswith(pb) or pb.startswith(pa))


def glob_covers(general: str, specific: str) -> bool:
    """Every name ``specific`` matches, ``general`` matches too."""
    if _prefixes_clash(general, specific):
        return False  # every glob matches some name, and none of them here
    return not _explore(specific, general, lambda s, g: s and not g)


def globs_overlap(a: str, b: str) -> bool:
    """Some name matches both globs."""
    if _prefixes_clash(a, b):
        return False
    return _explore(a, b, lambda x, y: x and y)
