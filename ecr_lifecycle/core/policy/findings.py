"""Findings, and the ``Check`` that produces each: its stable code, title, source, docs link and logic.

``E`` codes are errors (AWS rejects the policy), ``W`` codes warnings (AWS accepts it, users
often regret it). Codes never change meaning; a retired check keeps its code reserved.
The checks themselves live in ``checks/``; ``checks.CATALOGUE`` lists them all, and
``docs/rules.md`` is generated from it.

Sources: DOC = stated by the AWS documentation; OBS = observed AWS error output;
DER = derived by us from documented rules. ``unverified`` marks checks where AWS's
exact behaviour is unknown and says which side we chose (always the safer one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

PARAMETERS_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html"
POLICIES_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html"
ARCHIVE_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html"
API_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Scope(StrEnum):
    """What a check's logic looks at (and so what it is called with)."""

    STRUCTURE = "structure"  # the document's shape; the reader in ``check.py`` is its logic
    RULE = "rule"  # one rule's fields (``RuleFields``)
    POLICY = "policy"  # every rule's fields together
    TEXT = "text"  # the canonical text that is sent to AWS
    LINT = "lint"  # a valid ``Policy`` with its rules' fields
    CONFIG = "config"  # the config file's data (``core/config/checks.py``)


class Problem(NamedTuple):
    """What a check's logic reports; the check turns it into a ``Finding`` carrying its code."""

    path: str
    message: str
    rule: str = ""


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    source: str  # DOC, OBS, DER, or a combination like "DOC+OBS"
    scope: Scope
    unverified: str = ""  # what is unknown about AWS's behaviour and which way we chose
    docs: str = PARAMETERS_DOC
    logic: Callable[..., Iterable[Problem]] | None = None  # None for STRUCTURE checks

    def __post_init__(self) -> None:
        _BY_CODE.setdefault(self.code, self)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickled by code, so findings cross to other processes (a config composed in two) and come back as
        # the same object; a check made on the fly (tests) goes by value.
        if _BY_CODE.get(self.code) is self:
            return (check_by_code, (self.code,))
        return super().__reduce__()

    @property
    def severity(self) -> Severity:
        return Severity.ERROR if self.code.startswith("E") else Severity.WARNING

    def finding(self, path: str, message: str, rule: str = "") -> Finding:
        return Finding(self, path, message, rule)

    def run(self, subject: Any, *context: Any, rule: str = "") -> list[Finding]:
        """Call the logic; problems without a rule label get ``rule`` (the rule being checked)."""
        assert self.logic is not None, f"{self.code} is a structural check"
        return [Finding(self, p.path, p.message, p.rule or rule) for p in self.logic(subject, *context)]


_BY_CODE: dict[str, Check] = {}


def check_by_code(code: str) -> Check:
    """The check that first took ``code`` in this process."""
    return _BY_CODE[code]


def check(
    code: str, title: str, source: str, scope: Scope, unverified: str = "", docs: str = PARAMETERS_DOC
) -> Callable[[Callable[..., Iterable[Problem]]], Check]:
    """Decorator: the function below becomes the logic of a new ``Check``."""

    def wrap(logic: Callable[..., Iterable[Problem]]) -> Check:
        return Check(code, title, source, scope, unverified, docs, logic)

    return wrap


@dataclass(frozen=True)
class Finding:
    """One problem found in a policy. ``path`` is a JSON path such as ``rules[2].selection.countUnit``."""

    check: Check
    path: str
    message: str
    rule: str = ""  # "rule 3 ('expire untagged')", empty for policy-level findings

    @property
    def code(self) -> str:
        return self.check.code

    @property
    def severity(self) -> Severity:
        return self.check.severity

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
