"""ECR lifecycle policy documents: typed model, validation, lint, canonical rendering."""

from ecr_lifecycle.core.policy.check import (
    PolicyInvalid,
    check_policy,
    check_policy_text,
    parse_policy,
    parse_policy_text,
)
from ecr_lifecycle.core.policy.equivalence import equivalent_policy_texts
from ecr_lifecycle.core.policy.findings import Finding, Severity
from ecr_lifecycle.core.policy.model import (
    Action,
    ActionType,
    CountType,
    CountUnit,
    Policy,
    Rule,
    Selection,
    StorageClass,
    TagStatus,
)
from ecr_lifecycle.core.policy.render import render_policy

__all__ = [
    "Action",
    "ActionType",
    "CountType",
    "CountUnit",
    "Finding",
    "Policy",
    "PolicyInvalid",
    "Rule",
    "Selection",
    "Severity",
    "StorageClass",
    "TagStatus",
    "check_policy",
    "check_policy_text",
    "equivalent_policy_texts",
    "parse_policy",
    "parse_policy_text",
    "render_policy",
]
