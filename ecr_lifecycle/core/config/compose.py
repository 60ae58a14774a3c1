"""Compose one policy from templates, parameters and inline rules, then validate it.

Priorities: explicit ``rulePriority`` values are kept; the other rules are numbered in
order (templates in the order listed, then inline rules) with the lowest free numbers;
``any`` rules without a priority go after everything else, so they end up last within
their storage class. Two explicit equal priorities are an error naming both sources.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ecr_lifecycle.core.config.model import ComposedPolicy, RuleSource
from ecr_lifecycle.core.jsonschema_errors import is_valid
from ecr_lifecycle.core.policy.check import check_policy
from ecr_lifecycle.core.policy.render import render_policy
from ecr_lifecycle.core.sourcefile import Document, plain
from ecr_lifecycle.core.suggest import did_you_mean
from ecr_lifecycle.core.templates.expand import PlaceholderError, expand
from ecr_lifecycle.core.templates.library import Template


@dataclass(frozen=True)
class ParamValue:
    value: Any
    path: tuple[str | int, ...]  # where in the config the value was written


@dataclass(frozen=True)
class TemplateUse:
    name: str
    path: tuple[str | int, ...]  # where the config names the template
    params: dict[str, ParamValue]  # given with this use (per-template params)


@dataclass(frozen=True)
class EntrySpec:
    """What one config entry asks for, with the locations of each part."""

    path: tuple[str | int, ...]
    uses: tuple[TemplateUse, ...]
    params: dict[str, ParamValue]  # entry-level params (apply to every template that declares them)
    default_params: dict[str, ParamValue]  # from defaults (ignored by templates that do not declare them)
    inline_rules: tuple[tuple[Any, tuple[str | int, ...]], ...]
    ignore: dict[str, str] = field(default_factory=dict)  # warning code -> reason (entry and defaults)


# Text that is equal exactly when the values are: keys sorted, anything not JSON as its ``str``. One encoder for
# every call (``json.dumps`` with options builds a new one each time, a sixth of composing a large config).
stable_json = json.JSONEncoder(sort_keys=True, default=str).encode


class ComposeError(Exception):
    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = tuple(messages)


def compose(
    spec: EntrySpec,
    doc: Document,
    library: dict[str, Template],
    label: str,
    broken: dict[str, list[str]] | None = None,
    expansions: dict[tuple[str, str], tuple[list[Any], str]] | None = None,
    recipe: str = "",
) -> ComposedPolicy:
    """``broken``: templates that failed to load, by name, with their errors (reported where used).
    ``expansions``: a memo the caller keeps for one library, of (template, parameters) -> rules."""
    broken = broken or {}
    errors: list[str] = []
    collected: list[tuple[dict[str, Any], str, tuple[str | int, ...], Document]] = []
    declared_anywhere: set[str] = set()
    outputs: list[tuple[str, str]] = []
    for use in spec.uses:
        if use.name in broken:
            errors.extend(broken[use.name])
            continue
        template = library.get(use.name)
        if template is None:
            known = ", ".join(sorted(library)) or "none"
            errors.append(
                f"{doc.where(use.path)}: unknown template {use.name!r}{did_you_mean(use.name, library)} "
                f"(templates in the library: {known})"
            )
            continue
        declared_anywhere.update(template.parameters)
        values: dict[str, ParamValue] = {k: ParamValue(v, ()) for k, v in template.defaults().items()}
        for source in (spec.default_params, spec.params, use.params):
            values.update({k: v for k, v in source.items() if k in template.parameters})
        for unknown in sorted(set(use.params) - set(template.parameters)):
            errors.append(
                f"{doc.where(use.params[unknown].path)}: template {use.name!r} has no parameter {unknown!r}"
                f"{did_you_mean(unknown, template.parameters)} "
                f"(it takes: {', '.join(sorted(template.parameters)) or 'none'})"
            )
        params = {k: v.value for k, v in values.items()}
        memo_key = (use.name, stable_json(params))
        hit = expansions.get(memo_key) if expansions is not None and not errors else None
        if hit is not None:  # only valid expansions are kept
            for i, memo_rule in enumerate(hit[0]):
                collected.append((memo_rule, f"template {use.name}", ("rules", i), template.doc))
            outputs.append((use.name, hit[1]))
            continue
        valid = is_valid(template.params_schema, params)
        for err in () if valid else _param_errors(template.params_schema, params):
            if err.absolute_path:
                name = str(err.absolute_path[0])
                where = doc.where(values[name].path) if values[name].path else doc.where(use.path)
            else:
                where = doc.where(use.path)
            errors.append(f"{where}: {err.message} (template {use.name!r})")
        if errors:
            continue
        expanded = []
        for i, raw in enumerate(template.rules):
            try:
                rule = expand(plain(raw), params)
            except PlaceholderError as exc:
                errors.append(f"{template.doc.where(['rules', i, *exc.path])}: {exc}")
                continue
            expanded.append(rule)
            collected.append((rule, f"template {use.name}", ("rules", i), template.doc))
        digest = hashlib.sha256(stable_json(expanded).encode()).hexdigest()[:16]
        outputs.append((use.name, digest))
        if expansions is not None and not errors and len(expanded) == len(template.rules):
            expansions[memo_key] = (expanded, digest)
    for unknown in sorted(set(spec.params) - declared_anywhere):
        if spec.uses and not any(u.name in broken for u in spec.uses):
            errors.append(
                f"{doc.where(spec.params[unknown].path)}: no template of this entry takes parameter {unknown!r}"
                f"{did_you_mean(unknown, declared_anywhere)} (its templates take: "
                f"{', '.join(sorted(declared_anywhere)) or 'none'})"
            )
    for raw, path in spec.inline_rules:
        collected.append((plain(raw) if isinstance(raw, dict) else raw, "inline rules", path, doc))
    if errors:
        raise ComposeError(errors)
    if not collected:
        raise ComposeError(
            [f"{doc.where(spec.path)}: {label} gets no rules; list templates or rules (or set defaults)"]
        )

    rules, sources = _number(collected, doc, errors, f"{doc.where(spec.path)}: {label}")
    if errors:
        raise ComposeError(errors)
    result = check_policy({"rules": rules})
    if result.policy is None:
        messages = []
        for finding in result.errors:
            origin = _origin(finding.path, sources)
            messages.append(f"{doc.where(spec.path)}: {label}: {finding.render()}{origin}")
        raise ComposeError(messages)
    kept, origins, silenced = [], [], []
    for warning in result.warnings:
        origin = _origin(warning.path, sources).removeprefix(" [from ").removesuffix("]")
        template = library.get(origin.removeprefix("template ")) if origin.startswith("template ") else None
        if warning.code in spec.ignore or (template is not None and warning.code in template.ignore):
            silenced.append(warning)
        else:
            kept.append(warning)
            origins.append(origin)
    return ComposedPolicy(
        policy=result.policy,
        text=result.text if result.text is not None else render_policy(result.policy),
        sources=tuple(sorted(sources, key=lambda s: s.priority)),
        warnings=tuple(kept),
        warning_origins=tuple(origins),
        silenced=tuple(silenced),
        templates=tuple(u.name for u in spec.uses),
        template_outputs=tuple(outputs),
        recipe=recipe,
    )


def _param_errors(schema: dict[str, Any], params: dict[str, Any]) -> list[Any]:
    # Imported by ``is_valid`` already when it got here (it checks every "no" of the fast validator again).
    import jsonschema

    return list(jsonschema.Draft202012Validator(schema).iter_errors(params))


def _number(
    collected: list[tuple[dict[str, Any], str, tuple[str | int, ...], Document]],
    doc: Document,
    errors: list[str],
    entry: str,
) -> tuple[list[Any], list[RuleSource]]:
    taken: dict[int, str] = {}
    located: dict[int, str] = {}
    for rule, origin, path, src in collected:
        priority = rule.get("rulePriority") if isinstance(rule, dict) else None
        if isinstance(priority, int) and not isinstance(priority, bool):
            if priority in taken:
                errors.append(
                    f"{entry}: rulePriority {priority} is set twice: by {taken[priority]} ({located[priority]}) "
                    f"and by {origin} ({src.where(path)}); change one, or leave it out to have it numbered "
                    "automatically"
                )
            taken[priority] = origin
            located[priority] = src.where(path)
    out: list[Any] = []
    sources: list[RuleSource] = []
    next_free = 1

    def allocate(start: int) -> int:
        n = start
        while n in taken:
            n += 1
        return n

    is_any = [
        isinstance(r, dict) and isinstance(r.get("selection"), dict) and r["selection"].get("tagStatus") == "any"
        for r, *_ in collected
    ]
    numbered: list[tuple[dict[str, Any], str]] = []
    for pass_any in (False, True):
        if pass_any:
            next_free = max([*taken, 0]) + 1
        for (rule, origin, _path, _src), anyness in zip(collected, is_any, strict=False):
            if anyness != pass_any or not isinstance(rule, dict) or "rulePriority" in rule:
                continue
            next_free = allocate(next_free)
            taken[next_free] = origin
            numbered.append(({"rulePriority": next_free, **rule}, origin))
    for rule, origin, _path, _src in collected:
        if not isinstance(rule, dict) or "rulePriority" in rule:
            numbered.append((rule, origin))
    for rule, origin in numbered:
        out.append(rule)
        priority = rule.get("rulePriority") if isinstance(rule, dict) else None
        sources.append(RuleSource(priority if isinstance(priority, int) else 0, origin))
    return out, sources


def _origin(path: str, sources: list[RuleSource]) -> str:
    match = re.match(r"rules\[(\d+)\]", path)
    if match and int(match.group(1)) < len(sources):
        return f" [from {sources[int(match.group(1))].origin}]"
    return ""
