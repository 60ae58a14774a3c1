"""What the reader could take from one rule, field by field: the input of every per-rule check.

Kept apart from ``check.py`` (the reader) and ``checks/`` (the logic) so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecr_lifecycle.core.policy.findings import Check, Finding
from ecr_lifecycle.core.policy.model import (
    Action,
    ActionType,
    CountType,
    CountUnit,
    Rule,
    Selection,
    StorageClass,
    TagStatus,
)


@dataclass
class RuleFields:
    """What could be read from one rule; ``None`` where a field is missing or malformed."""

    index: int
    path: str
    rule_priority: int | None = None
    description: str | None = None
    tag_status: TagStatus | None = None
    tag_prefix_list: tuple[str, ...] | None = None
    tag_pattern_list: tuple[str, ...] | None = None
    storage_class: StorageClass | None = None  # None: omitted (standard) or malformed
    storage_class_given: bool = False
    count_type: CountType | None = None
    count_unit: CountUnit | None = None
    count_unit_given: bool = False
    count_number: int | None = None
    action_type: ActionType | None = None
    target_storage_class: StorageClass | None = None
    target_given: bool = False
    complete: bool = True  # False once any structural error was found in this rule
    findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.rule_priority is None:
            return f"rule #{self.index + 1} in the list"
        if self.description:
            return f"rule {self.rule_priority} ({self.description!r})"
        return f"rule {self.rule_priority}"

    @property
    def effective_storage_class(self) -> StorageClass:
        return self.storage_class or StorageClass.STANDARD

    def error(self, check: Check, path: str, message: str) -> None:
        self.findings.append(check.finding(path, message, self.label))

    def to_rule(self) -> Rule | None:
        if not self.complete or self.rule_priority is None or self.tag_status is None:
            return None
        if self.count_type is None or self.count_number is None or self.action_type is None:
            return None
        selection = Selection(
            tag_status=self.tag_status,
            count_type=self.count_type,
            count_number=self.count_number,
            tag_prefix_list=self.tag_prefix_list or (),
            tag_pattern_list=self.tag_pattern_list or (),
            storage_class=self.effective_storage_class,
            count_unit=self.count_unit,
        )
        action = Action(self.action_type, self.target_storage_class)
        return Rule(self.rule_priority, selection, action, self.description)
