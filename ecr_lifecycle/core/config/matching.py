"""Which configured entry a repository name belongs to. Synthesis, preview and drift all use this.

Globs: ``*`` is any run of characters except ``/``, ``**`` any run including ``/``, ``?``
one character other than ``/``. The same glob compiles to a Python regex for offline
work and to an RE2 regex (Terraform's ``regex()``) for plan-time discovery; both are
built from one translation so they cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ECR repository names use lowercase letters, digits, '.', '_', '-' and '/'.
_GLOB_CHARS = re.compile(r"^[a-z0-9._/*?-]+$")


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

    def matches(self, name: str) -> bool:
        return glob_matches(self.glob, name) and not any(glob_matches(e, name) for e in self.exclude)
