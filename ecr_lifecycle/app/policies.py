"""Validate one policy document given as text."""

from __future__ import annotations

from dataclasses import dataclass

from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.core.policy.check import CheckResult, check_policy, decode_json
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.policy.render import render_policy


@dataclass(frozen=True)
class PolicyValidation:
    source: str  # file name, or <stdin>
    result: CheckResult


def validate_policy(text: str, source: str) -> PolicyValidation:
    """Every finding of a policy document. Text that is not JSON at all is a usage error, not a verdict."""
    try:
        data = decode_json(text)
    except (ValueError, RecursionError) as exc:
        raise UseCaseError(f"{source}: not valid JSON: {exc}", Failure.USAGE) from None
    return PolicyValidation(source, check_policy(data))


def policy_for_preview(text: str, source: str) -> tuple[Policy, str]:
    """A valid policy and its canonical text, or an error carrying every problem (first lines) found."""
    checked = validate_policy(text, source).result
    if checked.policy is None:
        lines = [f"{source}: {f.render()}" for f in checked.errors]
        raise UseCaseError("\nerror: ".join(lines), Failure.INVALID)
    return checked.policy, render_policy(checked.policy)
