"""``diff`` output: the review report as text, Markdown (a pull-request comment) and JSON
(``docs/review.schema.json``)."""

from __future__ import annotations

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
    shown = review.changes[:max_entries]
    for c in shown:
        reach = f" {review.reach(c)} |" if with_reach else ""
        lines.append(
            f"| {text(c.target)} | {code(c.entry)} | {_KIND_WORDS[c.kind]} | {_cause(c)} | {len(c.rules)} |{reach}"
        )
    if len(review.changes) > max_entries:
        lines.append(
            f"| … | {len(review.changes) - max_entries} more entries (the summary counts them all) | | | |"
            + (" |" if with_reach else "")
        )
    lines.append("")
    for c in shown:
        lines += [
            f"<details><summary>{html_text(c.target)} / {html_text(c.entry)}: {_KIND_WORDS[c.kind]}</summary>",
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
    return "\n".join(lines) + "\n"


def _cause(change: EntryChange) -> str:
    if not change.templates:
        return "config"
    return "template " + ", ".join(text(t) for t in change.templates)


def plain_text(review: Review) -> str:
    lines = [
        f"review: {review.base} -> {review.head}",
        *(s.replace("**", "") for s in _summary(review, lambda name: f"`{name}`")),
    ]
    for c in review.changes:
        lines.append(f"{c.target}/{c.entry}: {_KIND_WORDS[c.kind]} ({c.cause})")
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
