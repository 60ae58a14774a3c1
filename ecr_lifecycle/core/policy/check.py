"""Parse a policy document (JSON text or decoded value) into the model, collecting every finding.

Structure is checked here (types, required and unknown keys, nulls, enum values): this
reader is the logic of the structural checks (``checks/structure.py``). The semantic checks
and warnings in ``checks/`` then run over what it read. Nothing here raises
on bad input except ``parse_policy*``, which raise ``PolicyInvalid`` carrying all findings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from ecr_lifecycle.core.policy import checks
from ecr_lifecycle.core.policy.checks.structure import E100, E101, E102, E103, E104, E105, E106, E107, E108
from ecr_lifecycle.core.policy.fields import RuleFields
from ecr_lifecycle.core.policy.findings import Check, Finding, Severity
from ecr_lifecycle.core.policy.model import (
    ACTION_KEYS,
    POLICY_KEYS,
    RULE_KEYS,
    SELECTION_KEYS,
    ActionType,
    CountType,
    CountUnit,
    Policy,
    Rule,
    StorageClass,
    TagStatus,
)
from ecr_lifecycle.core.policy.render import policy_text, render_policy, render_rule

E = TypeVar("E", bound=Enum)


class PolicyInvalid(ValueError):
    """Raised by ``parse_policy*`` when a document has errors; carries every finding."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        super().__init__("; ".join(f.render() for f in errors) or "invalid policy")


@dataclass(frozen=True)
class CheckResult:
    policy: Policy | None  # None when there is any error
    findings: tuple[Finding, ...]
    text: str | None = None  # the policy's canonical JSON, when there is a policy

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Obj(dict[str, Any]):
    """A decoded JSON object that remembers keys given more than once."""

    duplicate_keys: tuple[str, ...] = ()


def _object_hook(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    dups = []
    for key, value in pairs:
        if key in obj:
            dups.append(key)
        obj[key] = value
    obj.duplicate_keys = tuple(dups)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(text: str) -> Any:
    """Decode JSON strictly: NaN/Infinity are errors, duplicate keys are remembered."""
    return json.loads(text, object_pairs_hook=_object_hook, parse_constant=_reject_constant)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Reader:
    """Walks a decoded document and fills ``RuleFields``, recording structural findings."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def check_object(
        self, obj: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...], sink: RuleFields | None
    ) -> dict[str, Any] | None:
        def error(check: Check, where: str, message: str) -> None:
            if sink is None:
                self.findings.append(check.finding(where, message))
            else:
                sink.complete = False
                sink.error(check, where, message)

        if not isinstance(obj, dict):
            error(E104, path, f"must be a JSON object, found {_type_name(obj)}")
            return None
        for key in getattr(obj, "duplicate_keys", ()):
            error(E108, f"{path}.{key}" if path else key, "key given more than once; keep exactly one")
        for key in obj:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                error(E102, where, f"unknown property {key!r}; allowed here: {', '.join(allowed)}")
        for key in required:
            if key not in obj:
                error(E105, f"{path}.{key}" if path else key, f"required property {key!r} is missing")
        for key, value in obj.items():
            if value is None and key in allowed:
                where = f"{path}.{key}" if path else key
                error(E103, where, "explicit null is rejected by AWS; leave the key out instead")
        return obj

    @staticmethod
    def integer(fields: RuleFields, value: Any, where: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            fields.complete = False
            fields.error(E104, where, f"must be a whole number, found {_type_name(value)} {json.dumps(value)}")
            return None
        return value

    @staticmethod
    def enum(fields: RuleFields, enum: type[E], value: Any, where: str) -> E | None:
        allowed = ", ".join(repr(m.value) for m in enum)
        if not isinstance(value, str):
            fields.complete = False
            fields.error(E104, where, f"must be a string, one of {allowed}; found {_type_name(value)}")
            return None
        try:
            return enum(value)
        except ValueError:
            fields.complete = False
            hint = ""
            lowered = [m for m in enum if m.value.lower() == value.lower()]
            if lowered:
                hint = f" (values are case-sensitive: write {lowered[0].value!r})"
            fields.error(E106, where, f"{value!r} is not allowed; use one of {allowed}{hint}")
            return None

    @staticmethod
    def string_list(fields: RuleFields, value: Any, where: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            fields.complete = False
            fields.error(E104, where, f"must be a list of strings, found {_type_name(value)}")
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                ok = False
                fields.error(E104, f"{where}[{i}]", f"must be a string, found {_type_name(item)}")
        if not ok:
            fields.complete = False
            return None
        return tuple(value)

    def read_rule(self, raw: Any, index: int) -> RuleFields:
        path = f"rules[{index}]"
        fields = RuleFields(index=index, path=path)
        # rulePriority first, so later messages can name the rule by it.
        if isinstance(raw, dict) and raw.get("rulePriority") is not None:
            fields.rule_priority = self.integer(fields, raw["rulePriority"], f"{path}.rulePriority")
        if isinstance(raw, dict) and isinstance(raw.get("description"), str):
            fields.description = raw["description"]
        obj = self.check_object(raw, path, RULE_KEYS, ("rulePriority", "selection", "action"), fields)
        if obj is None:
            return fields
        description = obj.get("description")
        if description is not None and not isinstance(description, str):
            fields.complete = False
            fields.error(E104, f"{path}.description", f"must be a string, found {_type_name(description)}")
        self.read_selection(fields, obj.get("selection"), f"{path}.selection")
        self.read_action(fields, obj.get("action"), f"{path}.action")
        return fields

    def read_selection(self, fields: RuleFields, raw: Any, path: str) -> None:
        if raw is None:
            return
        obj = self.check_object(raw, path, SELECTION_KEYS, ("tagStatus", "countType", "countNumber"), fields)
        if obj is None:
            return
        get = obj.get
        if get("tagStatus") is not None:
            fields.tag_status = self.enum(fields, TagStatus, get("tagStatus"), f"{path}.tagStatus")
        if get("tagPrefixList") is not None:
            fields.tag_prefix_list = self.string_list(fields, get("tagPrefixList"), f"{path}.tagPrefixList")
        if get("tagPatternList") is not None:
            fields.tag_pattern_list = self.string_list(fields, get("tagPatternList"), f"{path}.tagPatternList")
        if get("storageClass") is not None:
            fields.storage_class_given = True
            fields.storage_class = self.enum(fields, StorageClass, get("storageClass"), f"{path}.storageClass")
        if get("countType") is not None:
            fields.count_type = self.enum(fields, CountType, get("countType"), f"{path}.countType")
        if get("countUnit") is not None:
            fields.count_unit_given = True
            fields.count_unit = self.enum(fields, CountUnit, get("countUnit"), f"{path}.countUnit")
        if get("countNumber") is not None:
            fields.count_number = self.integer(fields, get("countNumber"), f"{path}.countNumber")

    def read_action(self, fields: RuleFields, raw: Any, path: str) -> None:
        if raw is None:
            return
        obj = self.check_object(raw, path, ACTION_KEYS, ("type",), fields)
        if obj is None:
            return
        if obj.get("type") is not None:
            fields.action_type = self.enum(fields, ActionType, obj["type"], f"{path}.type")
        if obj.get("targetStorageClass") is not None:
            fields.target_given = True
            target = self.enum(fields, StorageClass, obj["targetStorageClass"], f"{path}.targetStorageClass")
            fields.target_storage_class = target
            if target is not None and target is not StorageClass.ARCHIVE:
                fields.error(E106, f"{path}.targetStorageClass", "'archive' is the only allowed targetStorageClass")


@dataclass(frozen=True)
class _ReadRule:
    """One rule read and checked: its fields, its own findings, and (when complete) the rule and its
    canonical text."""

    fields: RuleFields
    findings: tuple[Finding, ...]
    rule: Rule | None
    text: str | None


# A rule's own findings depend only on its text and its place in the list. Composed policies share most
# of their rules (10,000 entries with their own parameters make thousands of policies from a few hundred
# rules), so each distinct rule is read, checked and rendered once per process. ``RuleFields`` is never
# changed after reading, so sharing it is safe.
_RULE_CACHE: dict[tuple[int, str], _ReadRule] = {}
_RULE_CACHE_LIMIT = 100_000


def _read_and_check_rule(reader: _Reader, raw: Any, index: int) -> _ReadRule:
    try:
        key: tuple[int, str] | None = (index, json.dumps(raw))
    except (TypeError, ValueError, RecursionError):
        key = None
    cached = _RULE_CACHE.get(key) if key is not None else None
    if cached is not None:
        return cached
    fields = reader.read_rule(raw, index)
    found = list(fields.findings)
    for rule_check in checks.RULE:
        found.extend(rule_check.run(fields, rule=fields.label))
    rule = fields.to_rule()
    result = _ReadRule(fields, tuple(found), rule, render_rule(rule) if rule is not None else None)
    if key is not None and len(_RULE_CACHE) < _RULE_CACHE_LIMIT:
        _RULE_CACHE[key] = result
    return result


def _policy_text(policy: Policy, read: list[_ReadRule]) -> str:
    """``render_policy(policy)``, from the rules' texts rendered once each."""
    by_priority = {r.rule.rule_priority: r.text for r in read if r.rule is not None}
    if len(by_priority) != len(policy.rules):
        return render_policy(policy)
    return policy_text(by_priority[r.rule_priority] or "" for r in policy.rules)


def check_policy(data: Any) -> CheckResult:
    """Check a decoded policy document. Never raises on bad input."""
    reader = _Reader()
    top = reader.check_object(data, "", POLICY_KEYS, (), None)
    if top is None:
        return CheckResult(None, (E100.finding("", "a lifecycle policy must be a JSON object with a 'rules' list"),))
    raw_rules = top.get("rules")
    if "rules" not in top or (raw_rules is not None and not isinstance(raw_rules, list)):
        found = "missing" if "rules" not in top else f"{_type_name(raw_rules)}"
        reader.findings.append(E101.finding("rules", f"'rules' must be a list of rule objects ({found})"))
        return CheckResult(None, tuple(reader.findings))
    if raw_rules is None:
        return CheckResult(None, tuple(reader.findings))
    if not raw_rules:
        reader.findings.append(E107.finding("rules", "the policy has no rules; add at least one"))
    read = [_read_and_check_rule(reader, raw, i) for i, raw in enumerate(raw_rules)]
    all_fields = [r.fields for r in read]
    findings = list(reader.findings)
    for r in read:
        findings.extend(r.findings)
    for policy_check in checks.POLICY:
        findings.extend(policy_check.run(all_fields))
    built = [r.rule for r in read]
    policy: Policy | None = None
    if not any(f.severity is Severity.ERROR for f in findings) and all(r is not None for r in built):
        policy = Policy(tuple(r for r in built if r is not None))
        text = _policy_text(policy, read)
        for text_check in checks.TEXT:
            findings.extend(text_check.run(text))
        by_priority = {f.rule_priority: f for f in all_fields if f.rule_priority is not None}
        for lint_check in checks.LINT:
            findings.extend(lint_check.run(policy, by_priority))
        if any(f.severity is Severity.ERROR for f in findings):
            policy = None
        return CheckResult(policy, tuple(findings), text if policy is not None else None)
    return CheckResult(policy, tuple(findings))


def check_policy_text(text: str) -> CheckResult:
    """Check a policy given as JSON text."""
    try:
        data = decode_json(text)
    except (ValueError, RecursionError) as exc:
        return CheckResult(None, (E100.finding("", f"not valid JSON: {exc}"),))
    return check_policy(data)


def parse_policy(data: Any) -> Policy:
    """Decoded document -> Policy, or ``PolicyInvalid`` with every finding."""
    result = check_policy(data)
    if result.policy is None:
        raise PolicyInvalid(result.findings)
    return result.policy


def parse_policy_text(text: str) -> Policy:
    result = check_policy_text(text)
    if result.policy is None:
        raise PolicyInvalid(result.findings)
    return result.policy
