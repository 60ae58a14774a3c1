"""``drift`` output: text, Markdown and JSON, in three groups worded by what the next deploy does."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.core.report.drift import Drift, DriftKind, DriftReport
from ecr_lifecycle.views.markdown import code, prose, text

_LABELS = {
    DriftKind.MISSING: "missing: the next deploy puts the configured policy",
    DriftKind.DIFFERENT: "different: the next deploy replaces the live policy",
    DriftKind.UNMANAGED: "not managed by the config: the next deploy leaves it as it is",
}


def _adopt_failing(d: Drift) -> str:
    where = d.entry.where if d.entry is not None else d.repository
    return (
        f"{d.target}/{d.repository}: 'adopt: true' ({where}) but no live policy to import: the next plan fails "
        "('Cannot import non-existent remote object'); remove 'adopt: true' from that entry"
    )


def plain_text(report: DriftReport, strict: bool = False) -> str:
    lines = []
    for d in report.drifts:
        lines.append(f"{d.target}/{d.repository}: {_LABELS[d.kind]}")
        lines += [f"  {c.text()}" for c in d.changes]
        if d.kind is DriftKind.DIFFERENT and not d.changes:
            lines.append("  (the live text is not a policy we can read rule by rule)")
    for d in report.unmanaged:
        lines.append(
            f"{d.target}/{d.repository}: {_LABELS[d.kind]}" + (" (counted as drift: --strict)" if strict else "")
        )
    lines += [_adopt_failing(d) for d in report.adopt_failing]
    if report.adopt_done:
        entries = list({(e.target, e.index): e for e in report.adopt_done}.values())
        shown = ", ".join(f"{e.target}/{e.label} ({e.where})" for e in entries[:10]) + (
            " …" if len(entries) > 10 else ""
        )
        lines.append(
            f"{len(entries)} 'adopt: true' flag(s) can be removed (the policy is in place): {shown}; "
            "`python -m ecr_lifecycle prune-adopt` removes them"
        )
    lines.append(
        f"{report.checked} repositories checked: {report.in_sync} in sync, {len(report.drifts)} drifted "
        f"({sum(d.kind is DriftKind.MISSING for d in report.drifts)} without their policy), "
        f"{len(report.unmanaged)} with a policy the config does not manage"
    )
    return "\n".join(lines)


def markdown(report: DriftReport, strict: bool = False) -> str:
    lines = [
        "### ECR lifecycle drift",
        "",
        f"{report.checked} repositories checked, **{len(report.drifts)} drifted**, "
        f"{len(report.unmanaged)} not managed by the config.",
        "",
    ]
    if report.drifts:
        lines += ["| target | repository | drift | what the next deploy changes |", "|---|---|---|---|"]
        for d in report.drifts:
            what = "<br>".join(prose(c.text()).replace("|", "\\|") for c in d.changes) or "—"
            lines.append(f"| {text(d.target)} | {code(d.repository)} | {d.kind.value} | {what} |")
        lines.append("")
    if report.unmanaged:
        lines += [
            f"Not managed by the config (the next deploy leaves them{'; --strict counts them' if strict else ''}): "
            + ", ".join(f"{code(d.target + '/' + d.repository)}" for d in report.unmanaged[:50])
            + (" …" if len(report.unmanaged) > 50 else ""),
            "",
        ]
    if report.adopt_failing:
        lines += ["> [!CAUTION]"] + [f"> {prose(_adopt_failing(d))}" for d in report.adopt_failing] + [""]
    return "\n".join(lines)


def json_document(report: DriftReport) -> dict[str, Any]:
    def doc(d: Drift) -> dict[str, Any]:
        return {
            "target": d.target,
            "repository": d.repository,
            "kind": d.kind.value,
            "changes": [c.text() for c in d.changes],
            "live": d.live,
            "desired": d.desired,
        }

    return {
        "checked": report.checked,
        "drifted": len(report.drifts),
        "drift": [doc(d) for d in report.drifts],
        "unmanaged": [doc(d) for d in report.unmanaged],
        "adoptFailing": [{"target": d.target, "repository": d.repository} for d in report.adopt_failing],
        "adoptDone": [{"target": e.target, "repository": e.name, "where": e.where} for e in report.adopt_done],
    }
