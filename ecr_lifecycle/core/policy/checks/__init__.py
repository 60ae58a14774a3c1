"""Every check the validator runs, each one object owning its code, title, source, docs link and logic.

``CATALOGUE`` (by code) is what ``docs/rules.md`` and the coverage test read; the tuples say in
which order ``check.py`` runs them.
"""

from __future__ import annotations

from ecr_lifecycle.core.policy.checks import lint, policy, rule, structure
from ecr_lifecycle.core.policy.findings import Check

STRUCTURE = structure.CHECKS
RULE = rule.CHECKS
POLICY = policy.CHECKS
TEXT = policy.TEXT_CHECKS
LINT = lint.CHECKS

CATALOGUE: dict[str, Check] = {
    c.code: c for c in sorted((*STRUCTURE, *RULE, *POLICY, *TEXT, *LINT), key=lambda c: c.code)
}
assert len(CATALOGUE) == len(STRUCTURE) + len(RULE) + len(POLICY) + len(TEXT) + len(LINT), "duplicate check code"

__all__ = ["CATALOGUE", "LINT", "POLICY", "RULE", "STRUCTURE", "TEXT"]
