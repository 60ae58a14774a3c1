"""``plan`` output: one line per stack, a Markdown table for pull requests, or JSON."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.app.plan import PlanReport
from ecr_lifecycle.views.markdown import text


def plain_text(report: PlanReport) -> str:
    lines = [s.text() for s in report.stacks]
    changed = sum(s.changes for s in report.stacks)
    lines.append(f"{len(report.stacks)} stack(s) planned: {changed} with changes")
    return "\n".join(lines)


def markdown(report: PlanReport) -> str:
    lines = ["| stack | add | change | destroy | import | forget |", "|---|---:|---:|---:|---:|---:|"]
    lines += [
        f"| {text(s.stack)} | {s.add} | {s.change} | {s.destroy} | {s.imports} | {s.forget} |" for s in report.stacks
    ]
    return "\n".join(lines) + "\n"


def json_document(report: PlanReport) -> dict[str, Any]:
    return {
        "changes": report.changes,
        "stacks": [
            {"stack": s.stack, "add": s.add, "change": s.change, "destroy": s.destroy, "import": s.imports,
             "forget": s.forget, "savedPlan": s.saved}
            for s in report.stacks
        ],
    }  # fmt: skip
