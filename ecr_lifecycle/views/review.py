"""``diff`` output: the review report as text, Markdown (a pull-request comment) and JSON
(``docs/review.schema.json``)."""

from __future__ import annotations

import re
from typing import Any

from ecr_lifecycle.core.preview.results import human_bytes
from ecr_lifecycle.core.report.review import EntryChange, RepositoryImpact, Review
from ecr_lifecycle.core.report.rulediff import ChangeKind
from ecr_lifecycle.views.markdown import code, html_text, prose, text

_KIND_WORDS = {
    ChangeKind.ADDED: "gains a policy",
    ChangeKind.REMOVED: "loses its policy",
    ChangeKind.CHANGED: "changes",
    ChangeKind.RENUMBERED: "renumbered only (same meaning)",
}
_SUMMARY_WORDS = {
    ChangeKind.ADDED: ("gains a policy", "gain a policy"),
    ChangeKind.REMOVED: ("loses its policy", "lose their policy"),
    ChangeKind.CHANGED: ("changes", "change"),
    ChangeKind.RENUMBERED: ("is only renumbered", "are only renumbered"),
}


def _grouped(review: Review) -> list[tuple[str, EntryChange]]:
    """Changes identical but for their target, once each with the targets they apply to."""
    groups: dict[tuple[object, ...], tuple[list[str], EntryChange]] = {}
    for c in review.changes:
        key = (c.entry, c.kind, c.templates, tuple(r.text() for r in c.rules), review.reach(c))
        groups.setdefault(key, ([], c))[0].append(c.target)
    return [(", ".join(sorted(targets)), c) for targets, c in groups.values()]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _summary(review: Review, name: Any = code) -> list[str]:
    counts = review.counts()
    if not review.changes:
        return ["No lifecycle policy changes."]
    parts = [f"{counts[k]} {_SUMMARY_WORDS[k][counts[k] != 1]}" for k in ChangeKind if counts[k]]
    n = len(review.changes)
    lines = [f"**{n} entr{_plural(n, 'y', 'ies')} affected**: " + ", ".join(parts) + "."]
    for template, entries in review.template_changes:
        line = (
            f"Template {name(template)} changed: it alters the policy of {entries} entr{_plural(entries, 'y', 'ies')}"
        )
        if review.impact is not None:
            touched = review.template_reach(template)
            line += f", {touched} repositor{_plural(touched, 'y', 'ies')} in the inventory"
        lines.append(line + ".")
    if review.impact is not None:
        i = review.impact
        lines.append(
            f"In the inventory: **{i.newly_expired}** more images expire ({human_bytes(i.freed_bytes)}, up to "
            f"${i.savings:.2f}/month), {i.newly_archived} more are archived, {i.no_longer_expired} are no longer "
            "expired."
        )
    return lines


def markdown(review: Review, max_entries: int = 200) -> str:
    lines = [f"### ECR lifecycle review: {code(review.base)} → {code(review.head)}", "", *_summary(review), ""]
    if review.in_use:
        lines += ["> [!CAUTION]", f"> {len(review.in_use)} image(s) in use would be removed:"]
        lines += [
            f"> - {code(h.reference.text)} by {text(h.decision.rule.label)} in {code(h.decision.image.repository)}"
            for h in review.in_use
        ]
        lines.append("")
    if not review.changes:
        return "\n".join(lines)
    with_reach = review.impact is not None
    lines += [
        "| target | entry | change | cause | rule changes |" + (" repositories |" if with_reach else ""),
        "|---|---|---|---|---:|" + ("---:|" if with_reach else ""),
    ]
    grouped = _grouped(review)
    shown = grouped[:max_entries]
    for targets, c in shown:
        reach = f" {review.reach(c)} |" if with_reach else ""
        lines.append(
            f"| {text(targets)} | {code(c.entry)} | {_KIND_WORDS[c.kind]} | {_cause(c)} | {len(c.rules)} |{reach}"
        )
    if len(grouped) > max_entries:
        lines.append(
            f"| … | {len(grouped) - max_entries} more entries (the summary counts them all) | | | |"
            + (" |" if with_reach else "")
        )
    lines.append("")
    for targets, c in shown:
        lines += [
            f"<details><summary>{html_text(targets)} / {html_text(c.entry)}: {_KIND_WORDS[c.kind]}</summary>",
            "",
        ]
        lines += [f"- {prose(line)}" for r in c.rules for line in (r.details or (r.text(),))] or [
            "- (no rule-level difference)"
        ]
        lines += ["", "</details>"]
    if review.impact is not None and review.impact.repositories:
        lines += [
            "",
            "| target | repository | newly expired | freed | no longer expired | newly archived |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for i in sorted(review.impact.repositories, key=lambda i: -i.freed_bytes)[:max_entries]:
            lines.append(
                f"| {text(i.target)} | {code(i.repository)} | {len(i.newly_expired)} | {human_bytes(i.freed_bytes)} | "
                f"{i.no_longer_expired} | {len(i.newly_archived)} |"
            )
        lines += _charts(review.impact.repositories)
    return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    """A name Mermaid shows as is: no quotes, brackets or line breaks can close the chart's syntax."""
    safe = re.sub(r"[^A-Za-z0-9/._:-]", "_", value)
    return safe if len(safe) <= 40 else safe[:39] + "…"


def _charts(impacts: tuple[RepositoryImpact, ...], top: int = 10) -> list[str]:
    """Mermaid charts GitHub renders: MiB freed for the top repositories, and per target."""
    freed = sorted((i for i in impacts if i.freed_bytes > 0), key=lambda i: (-i.freed_bytes, i.repository))
    if not freed:
        return []
    shown = freed[:top]
    names = ", ".join(
        f'"{_label(i.repository if len({x.target for x in freed}) == 1 else i.target + ":" + i.repository)}"'
        for i in shown
    )
    values = ", ".join(f"{i.freed_bytes / 2**20:.1f}" for i in shown)
    per_target: dict[str, int] = {}
    for i in freed:
        per_target[i.target] = per_target.get(i.target, 0) + i.freed_bytes
    lines = [
        "",
        "```mermaid",
        "xychart-beta",
        f'    title "MiB freed, top {len(shown)} of {len(freed)} repositories (upper bound)"',
        f"    x-axis [{names}]",
        '    y-axis "MiB"',
        f"    bar [{values}]",
        "```",
    ]
    if len(per_target) > 1:
        lines += ["", "```mermaid", "pie title MiB freed per target"]
        lines += [f'    "{_label(t)}" : {b / 2**20:.1f}' for t, b in sorted(per_target.items())]
        lines.append("```")
    return lines


def _cause(change: EntryChange) -> str:
    if not change.templates:
        return "config"
    return "template " + ", ".join(text(t) for t in change.templates)


def plain_text(review: Review) -> str:
    lines = [
        f"review: {review.base} -> {review.head}",
        *(s.replace("**", "") for s in _summary(review, lambda name: f"`{name}`")),
    ]
    for targets, c in _grouped(review):
        lines.append(f"{targets}/{c.entry}: {_KIND_WORDS[c.kind]} ({c.cause})")
        lines += [f"  {r.text()}" for r in c.rules]
    return "\n".join(lines)


def _impact_doc(i: RepositoryImpact) -> dict[str, Any]:
    return {
        "target": i.target,
        "repositoryName": i.repository,
        "newlyExpiring": [d.image.digest for d in i.newly_expired],
        "noLongerExpiring": i.no_longer_expired,
        "newlyArchiving": [d.image.digest for d in i.newly_archived],
        "freedBytes": i.freed_bytes,
    }


def json_document(review: Review) -> dict[str, Any]:
    changes = []
    for c in review.changes:
        doc: dict[str, Any] = {
            "target": c.target,
            "entry": c.entry,
            "kind": c.kind.value,
            "cause": c.cause,
            "rules": [{"kind": r.kind.value, "text": r.text()} for r in c.rules],
        }
        if review.impact is not None:
            doc["repositories"] = review.reach(c)
        changes.append(doc)
    impact = None
    if review.impact is not None:
        i = review.impact
        impact = {
            "repositories": [_impact_doc(r) for r in i.repositories],
            "newlyExpiringImages": i.newly_expired,
            "newlyArchivingImages": i.newly_archived,
            "freedBytes": i.freed_bytes,
            "savingsPerMonthUpperBound": i.savings,
        }
    return {
        "base": review.base,
        "head": review.head,
        "summary": {k.value: n for k, n in review.counts().items()},
        "changes": changes,
        "templates": [{"name": n, "entries": k} for n, k in review.template_changes],
        "impact": impact,
        "inUse": [
            {
                "reference": h.reference.text,
                "target": h.target,
                "repositoryName": h.decision.image.repository,
                "imageDigest": h.decision.image.digest,
                "rule": h.decision.rule.label,
            }
            for h in review.in_use
        ],
    }
