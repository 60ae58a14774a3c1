"""``drift`` output: text, Markdown and JSON."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.core.report.drift import DriftKind, DriftReport
from ecr_lifecycle.views.markdown import code, prose, text

_LABELS = {
    DriftKind.MISSING: "missing: the configured policy is not applied",
    DriftKind.EXTRA: "extra: a live policy the config does not manage",
    DriftKind.DIFFERENT: "different from the config",
}


def plain_text(report: DriftReport) -> str:
    lines = []
    for d in report.drifts:
        lines.append(f"{d.target}/{d.repository}: {_LABELS[d.kind]}")
        lines += [f"  {c.text()}" for c in d.changes]
        if d.kind is DriftKind.DIFFERENT and not d.changes:
            lines.append("  (the live text is not a policy we can read rule by rule)")
    n = len(report.drifts)
    lines.append(f"{report.checked} repositories checked: {report.in_sync} in sync, {n} drifted")
    return "\n".join(lines)


def markdown(report: DriftReport) -> str:
    lines = [
        "### ECR lifecycle drift",
        "",
        f"{report.checked} repositories checked, **{len(report.drifts)} drifted**.",
        "",
    ]
    if report.drifts:
        lines += ["| target | repository | drift | what the next deploy changes |", "|---|---|---|---|"]
        for d in report.drifts:
            what = "<br>".join(prose(c.text()).replace("|", "\\|") for c in d.changes) or "—"
            lines.append(f"| {text(d.target)} | {code(d.repository)} | {d.kind.value} | {what} |")
    return "\n".join(lines) + "\n"


def json_document(report: DriftReport) -> dict[str, Any]:
    return {
        "checked": report.checked,
        "drifted": len(report.drifts),
        "drift": [
            {
                "target": d.target,
                "repository": d.repository,
                "kind": d.kind.value,
                "changes": [c.text() for c in d.changes],
                "live": d.live,
                "desired": d.desired,
            }
            for d in report.drifts
        ],
    }
