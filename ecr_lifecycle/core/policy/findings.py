"""Validation findings and the catalogue of checks that produce them.

Each check has a stable code: ``E`` for errors (AWS rejects the policy), ``W`` for
warnings (AWS accepts it, users often regret it). Codes never change meaning; a
retired check keeps its code reserved. ``docs/rules.md`` is generated from ``CATALOGUE``
and a test keeps the two in step.

Sources: DOC = stated by the AWS documentation; OBS = observed AWS error output;
DER = derived by us from documented rules. ``unverified`` marks checks where AWS's
exact behaviour is unknown and we chose the safer side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    source: str  # DOC, OBS, DER, or a combination like "DOC+OBS"
    unverified: str = ""  # what is unknown about AWS's behaviour and which way we chose

    @property
    def severity(self) -> Severity:
        return Severity.ERROR if self.code.startswith("E") else Severity.WARNING


@dataclass(frozen=True)
class Finding:
    """One problem found in a policy. ``path`` is a JSON path such as ``rules[2].selection.countUnit``."""

    code: str
    path: str
    message: str
    rule: str = ""  # "rule 3 ('expire untagged')", empty for policy-level findings

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        who = f"{self.rule}: " if self.rule else ""
        return f"{self.severity.value} {self.code} {where}{who}{self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "rule": self.rule,
            "message": self.message,
        }


_CHECKS = [
    # Structure
    Check("E100", "Policy text is not a JSON object", "OBS"),
    Check("E101", "Missing or non-list 'rules'", "OBS"),
    Check("E102", "Unknown property", "OBS", "moto-modelled schema error; we reject unknown keys (safer)"),
    Check("E103", "Explicit null value", "OBS"),
    Check("E104", "Wrong value type", "DOC"),
    Check("E105", "Missing required property", "DOC"),
    Check("E106", "Value not one of the allowed values", "DOC"),
    Check("E107", "Policy has no rules", "DER", "AWS's verdict on an empty 'rules' list is unknown; we reject it"),
    Check("E108", "Duplicate key in a JSON object", "DER", "AWS's parser behaviour is unknown; we reject duplicates"),
    # Single rule
    Check(
        "E201", "rulePriority below 1", "DOC", "API model min 1 for preview results; server check unknown, we reject"
    ),
    Check("E202", "countNumber below 1", "DOC"),
    Check("E203", "countUnit given with imageCountMoreThan", "DOC"),
    Check("E204", "countUnit missing for a since* count type", "DOC"),
    Check("E205", "tagged rule without tagPrefixList or tagPatternList", "DOC+OBS"),
    Check("E206", "Tag list on an untagged or any rule", "DOC"),
    Check("E207", "Both tagPrefixList and tagPatternList in one rule", "DOC"),
    Check("E208", "More than four '*' wildcards in a pattern", "DOC"),
    Check("E209", "Empty tag list or empty list entry", "DER", "not documented (corpus 050 is uncertain); we reject"),
    Check("E210", "sinceImagePulled with expire", "DOC+OBS"),
    Check("E211", "sinceImageTransitioned without storageClass archive", "DOC+OBS"),
    Check("E212", "sinceImageTransitioned with an action other than expire", "DOC"),
    Check("E213", "transition without targetStorageClass", "DOC+OBS"),
    Check("E214", "targetStorageClass on an expire action", "DOC+OBS"),
    Check("E215", "storageClass archive with a count type other than sinceImageTransitioned", "DOC"),
    Check(
        "E216",
        "Archived images expired before 90 days",
        "DER",
        "exact server error unknown; we reject countNumber < 90",
    ),
    # Across rules
    Check("E301", "Duplicate rulePriority", "DOC"),
    Check("E302", "'any' rule not last within its storage class", "DOC+OBS"),
    Check("E303", "More than one 'any' rule in a storage class", "OBS"),
    Check("E304", "More than one untagged rule in a storage class", "DOC+OBS"),
    Check(
        "E305",
        "Two tagged rules with the same tag list in a storage class",
        "DOC",
        "AWS's exact uniqueness test is unknown; we reject identical lists (as sets) of the same kind. "
          "Stricter readings contradict AWS: corpus 030, accepted, shares the entry 'main' across rules",
    ),
    Check("E306", "More than 50 rules", "DOC"),
    Check("E307", "Policy text longer than 30,720 characters", "DOC"),
    Check("E308", "Policy text shorter than 100 characters", "DOC"),
    # Warnings
    Check("W001", "Multi-entry tag list: every entry must match (AND), not any", "DOC"),
    Check("W002", "Rule can never act: higher-priority rules already take every image it could select", "DER"),
    Check("W003", "'any' rule can expire the newest images: nothing tagged is kept first", "DER"),
    Check("W004", "sinceImagePulled depends on pull times that scanners may refresh", "DOC+OBS"),
    Check("W005", "Archived images stay (and are billed) at least 90 days", "DOC"),
    Check(
        "W006",
        "Explicit storageClass standard",
        "DOC",
        "documented as allowed, but one report of a rejection; rendering omits it (the default)",
    ),
    Check("W007", "Duplicate entry in a tag list", "DER"),
    Check("W008", "Pattern without '*' matches one tag exactly", "DOC"),
]

CATALOGUE: dict[str, Check] = {c.code: c for c in _CHECKS}
