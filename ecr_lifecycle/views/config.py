"""``validate`` and ``render`` output."""

from __future__ import annotations

import json

from ecr_lifecycle.app.config import ConfigValidation, Coverage, Rendered
from ecr_lifecycle.app.policies import PolicyValidation
from ecr_lifecycle.core.policy.findings import Finding
from ecr_lifecycle.core.policy.render import render_policy


def policy_json(v: PolicyValidation) -> str:
    doc = {"file": v.source, "valid": v.result.ok, "findings": [f.as_dict() for f in v.result.findings]}
    return json.dumps(doc, indent=2)


def policy_lines(v: PolicyValidation) -> list[str]:
    """Every finding, then the verdict."""
    r = v.result
    lines = [f"{v.source}: {f.render()}" for f in r.findings]
    if r.ok:
        lines.append(f"{v.source}: valid ({len(r.warnings)} warning(s))")
    else:
        lines.append(f"{v.source}: invalid: {len(r.errors)} error(s), {len(r.warnings)} warning(s)")
    return lines


def config_json(v: ConfigValidation) -> str:
    doc = {
        "valid": True,
        "config": v.fleet.source,
        "policies": v.policies,
        "warnings": [dict(w.as_dict(), where=where) for where, w in v.warnings],
        "warningGroups": [
            {"code": g.code, "origin": g.origin, "entries": len(g.entries), "first": list(g.entries[:5])}
            for g in v.groups
        ],
        "silenced": v.silenced,
        "brokenTemplates": {name: messages for name, messages in v.fleet.broken_templates.items()},
    }
    return json.dumps(doc, indent=2)


def _broken(v: ConfigValidation) -> list[str]:
    return [
        f"warning: template {name!r} does not load, and no entry uses it: {messages[0]}"
        + (f" (and {len(messages) - 1} more)" if len(messages) > 1 else "")
        for name, messages in v.fleet.broken_templates.items()
    ]


def _render(finding: Finding, origin: str) -> str:
    """A config warning's location already names its path; a policy warning's path is inside the policy."""
    if origin == "config":
        return f"{finding.severity.value} {finding.code} {finding.message}"
    return finding.render()


def config_text(v: ConfigValidation, *, every: bool = False, shown: int = 3) -> str:
    """Warnings once per code and origin with how many entries raise them (``every``: one line each)."""
    if every:
        config = {id(w) for _, w in v.fleet.config_warnings}
        lines = [f"{where}: {_render(w, 'config' if id(w) in config else '')}" for where, w in v.warnings]
    else:
        lines = []
        for g in v.groups:
            if len(g.entries) == 1:
                lines.append(f"{g.entries[0]}: {_render(g.example, g.origin)}")
                continue
            names = ", ".join(g.entries[:shown]) + (", …" if len(g.entries) > shown else "")
            lines.append(
                f"{g.code} from {g.origin}, {len(g.entries)} entries ({names}); "
                f"the first: {_render(g.example, g.origin)}"
            )
    lines += _broken(v)
    silenced = f", {v.silenced} silenced by ignore" if v.silenced else ""
    lines.append(
        f"{v.fleet.source}: valid: {len(v.fleet.targets)} target(s), {v.policies} repository "
        f"policies and creation templates, {len(v.warnings)} warning(s){silenced}"
    )
    return "\n".join(lines)


def rendered_json(r: Rendered) -> set[str]:
    """The policy documents (one per distinct policy across targets), indented."""
    return {render_policy(e.composed.policy, indent=2) for e in r.entries}


def rendered_text(r: Rendered) -> str:
    lines = []
    for group in r.groups:
        entry = group.entry
        how = "exact name" if entry.name is not None else f"pattern {entry.pattern!r}"
        where = (
            f"target {group.targets[0]!r}"
            if len(group.targets) == 1
            else "targets " + ", ".join(map(repr, group.targets))
        )
        lines.append(f"# {r.repository} in {where}: {how}, {entry.where}")
        lines.append(f"# templates: {', '.join(entry.composed.templates) or '(none)'}")
        by_priority = {rule.rule_priority: rule for rule in entry.composed.policy.rules}
        for source in entry.composed.sources:
            rule = by_priority[source.priority]
            lines.append(f"#   rule {source.priority}: {source.origin}: {rule.description or ''}".rstrip(": "))
        lines += [f"# {w.render()}" for w in entry.composed.warnings]
        lines.append(render_policy(entry.composed.policy, indent=2))
    return "\n".join(lines)


def coverage_text(c: Coverage, shown: int = 20) -> str:
    lines = [f"entry matches no repository: {e.target}/{e.label} ({e.where})" for e in c.idle_entries]
    if c.unmatched:
        names = [f"{t}/{r}" for t, r in c.unmatched]
        lines.append(
            f"{len(names)} repositories no entry matches: "
            + ", ".join(names[:shown])
            + (" …" if len(names) > shown else "")
        )
    return "\n".join(lines)


def coverage_json(c: Coverage) -> dict[str, object]:
    return {
        "entriesMatchingNothing": [{"target": e.target, "entry": e.label, "where": e.where} for e in c.idle_entries],
        "repositoriesWithoutEntry": [{"target": t, "repository": r} for t, r in c.unmatched],
    }
