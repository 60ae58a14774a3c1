"""``preview`` output: AWS-shaped JSON with our estimates beside it, Markdown for pull requests, a table."""

from __future__ import annotations

import io
from typing import Any, BinaryIO, TextIO

import msgspec

from ecr_lifecycle.core.preview.fleet import FleetPreview
from ecr_lifecycle.core.preview.guards import GuardReport, InUseHit, OverLimit
from ecr_lifecycle.core.preview.results import Impact, RepositoryPreview, human_bytes, iso
from ecr_lifecycle.views.markdown import code, text

UPPER_BOUND_NOTE = (
    "Savings are an upper bound: ECR stores layers shared between images once, so deleting an "
    "image frees only the layers no remaining image uses. Archiving saves nothing below 150 TB "
    "(archive costs the same per GB) and is billed for at least 90 days."
)


UNVERIFIED_NOTE = (
    "Where AWS's behaviour is unverified the preview makes a stated choice; 'unverified' lists each "
    "repository whose figures rest on one and whether it may over- or under-report removals."
)


def _impact_fields(impact: Impact, price: float) -> dict[str, Any]:
    return {
        "images": impact.images,
        "expiring": impact.expiring,
        "expiringBytes": impact.expiring_bytes,
        "archiving": impact.archiving,
        "archivingBytes": impact.archiving_bytes,
        "kept": impact.kept,
        "keptBytes": impact.kept_bytes,
        "savingsPerMonthUpperBound": impact.savings(price),
    }


def _repository_impact(r: RepositoryPreview, price: float) -> dict[str, Any]:
    doc: dict[str, Any] = {"repositoryName": r.repository}
    if r.target is not None:
        doc["target"] = r.target
    doc.update(_impact_fields(r.impact, price))
    return doc


def _hit(hit: InUseHit) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "reference": hit.reference.text,
        "repositoryName": hit.decision.image.repository,
        "imageDigest": hit.decision.image.digest,
        "action": hit.decision.action.value.upper(),
        "appliedRulePriority": hit.decision.rule.rule_priority,
        "rule": hit.decision.rule.label,
    }
    if hit.when is not None:
        doc["on"] = iso(hit.when)[:10]
    if hit.reference.used_by:
        doc["usedBy"] = [u.text() for u in hit.reference.used_by]
    if hit.target is not None:
        doc["target"] = hit.target
    return doc


def _over(o: OverLimit) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "repositoryName": o.repository,
        "percent": o.percent,
        "limit": o.limit,
        "removed": o.removed,
        "images": o.images,
    }
    if o.target is not None:
        doc["target"] = o.target
    return doc


def _tail(result: FleetPreview, price: float, guards: GuardReport) -> dict[str, Any]:
    """Everything after ``repositories``: our estimates, guards and notes."""
    totals = result.totals()
    return {
        "impact": [_repository_impact(r, price) for r in result.repositories],
        "totals": {
            "repositories": totals.repositories,
            **_impact_fields(totals.impact, price),
            "pricePerGbMonth": price,
        },
        "unmanagedRepositories": [u.repository for u in result.unmanaged],
        "inUse": [_hit(h) for h in guards.in_use],
        "overExpireLimit": [_over(o) for o in guards.over_limit],
        "unverified": _unverified(result),
        "forecast": [
            {
                **({"target": u.target} if u.target is not None else {}),
                "repositoryName": u.decision.image.repository,
                "imageDigest": u.decision.image.digest,
                "imageTags": list(u.decision.image.tags),
                "action": u.decision.action.value.upper(),
                "appliedRulePriority": u.decision.rule.rule_priority,
                "on": iso(u.when)[:10],
            }
            for u in result.upcoming
        ],
        "notes": [UPPER_BOUND_NOTE, UNVERIFIED_NOTE],
    }


def write_json(
    result: FleetPreview, now: float, price: float, guards: GuardReport, out: BinaryIO, indent: int | None = None
) -> None:
    """The JSON document: ``repositories`` exactly as GetLifecyclePolicyPreview returns them, our estimates
    beside. Written repository by repository with a C encoder (a million images are ~300 MB of JSON: never one
    Python string); ``indent`` pretty-prints, in C as well, at the cost of one copy in memory."""
    encode = msgspec.json.Encoder().encode
    sink: BinaryIO = io.BytesIO() if indent is not None else out
    sink.write(b'{"evaluatedAt":' + encode(iso(now)) + b',"repositories":[')
    for n, r in enumerate(result.repositories):
        if n:
            sink.write(b",")
        sink.write(encode(r.aws_shape()))
    sink.write(b"]")
    for key, value in _tail(result, price, guards).items():
        sink.write(b"," + encode(key) + b":" + encode(value))
    sink.write(b"}")
    if indent is not None:
        assert isinstance(sink, io.BytesIO)
        out.write(msgspec.json.format(sink.getvalue(), indent=indent))
    out.write(b"\n")


def _unverified(result: FleetPreview) -> list[dict[str, Any]]:
    return [
        {
            **({"target": r.target} if r.target is not None else {}),
            "repositoryName": r.repository,
            "choice": u.value,
            "direction": u.direction,
        }
        for r in result.repositories
        for u in r.unverified
    ]


def markdown(result: FleetPreview, now: float, price: float, guards: GuardReport, max_rows: int = 200) -> str:
    totals = result.totals()
    t = totals.impact
    lines = [
        f"### ECR lifecycle preview ({iso(now)[:10]})",
        "",
        f"**{t.expiring}** of {t.images} images expire ({human_bytes(t.expiring_bytes)}), "
        f"**{t.archiving}** move to archive ({human_bytes(t.archiving_bytes)}), {t.kept} stay. "
        f"Up to **${t.savings(price):.2f}/month** saved at ${price:.2f}/GB-month.",
        "",
    ]
    if guards.in_use:
        lines += ["> [!CAUTION]", f"> {len(guards.in_use)} image(s) in use would be removed:"]
        lines += [
            f"> - {code(h.reference.text)}: {h.decision.action.value} by {text(h.decision.rule.label)}"
            + (f" (target {code(h.target)})" if h.target is not None else "")
            for h in guards.in_use
        ]
        lines.append("")
    if guards.over_limit:
        lines += ["> [!CAUTION]"]
        lines += [
            f"> - {code(o.repository)} loses {o.percent:.1f}% of its images (limit {o.limit}%)"
            for o in guards.over_limit
        ]
        lines.append("")
    with_target = len(result.targets) > 1
    head = "| target " if with_target else ""
    lines += [
        head + "| repository | images | expire | archive | keep | freed (upper bound) | kept size |",
        ("|---" if with_target else "") + "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = sorted(result.repositories, key=lambda r: (-r.impact.expiring_bytes, r.repository, r.target or ""))

    def row(name: str, i: Impact, target: str) -> str:
        return (
            (f"| {target} " if with_target else "")
            + f"| {name} | {i.images} | {i.expiring} | {i.archiving} | {i.kept} | "
            f"{human_bytes(i.expiring_bytes)} | {human_bytes(i.kept_bytes)} |"
        )

    for r in rows[:max_rows]:
        lines.append(row(code(r.repository), r.impact, code(r.target or "")))
    if len(rows) > max_rows:
        lines.append(
            ("| " if with_target else "")
            + f"| … {len(rows) - max_rows} more repositories (the total includes them) | | | | | | |"
        )
    lines.append(row("**total**", t, ""))
    if result.unmanaged:
        names = [u.repository for u in result.unmanaged]
        lines += [
            "",
            f"{len(names)} repositories have no configured policy: "
            + ", ".join(code(n) for n in names[:20])
            + (" …" if len(names) > 20 else ""),
        ]
    if result.upcoming:
        lines += [
            "",
            f"If nothing changes, {len(result.upcoming)} more image(s) go in the coming days: "
            + ", ".join(
                f"{code(u.decision.image.repository + '@' + u.decision.image.digest[:19])} on {iso(u.when)[:10]}"
                for u in result.upcoming[:10]
            )
            + (" …" if len(result.upcoming) > 10 else ""),
        ]
    unsure = [(r, u) for r in result.repositories for u in r.unverified]
    if unsure:
        lines += [
            "",
            f"{len({id(r) for r, _ in unsure})} repositories' figures rest on an unverified choice: "
            + ", ".join(f"{code(r.repository)} ({u.direction}: {u.value})" for r, u in unsure[:20])
            + (" …" if len(unsure) > 20 else ""),
        ]
    lines += ["", f"<sub>{UPPER_BOUND_NOTE}</sub>", ""]
    return "\n".join(lines)


def table(result: FleetPreview, now: float, price: float, out: TextIO | None = None) -> None:
    """The terminal table (rich): one row per repository, totals, the unmanaged ones."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=max(100, Console().width), file=out)
    title = f"ECR lifecycle preview at {iso(now)}"
    grid = Table(title=title, title_justify="left")
    with_target = len(result.targets) > 1
    if with_target:
        grid.add_column("target", no_wrap=True)
    grid.add_column("repository", no_wrap=True)
    for column in ("images", "expire", "archive", "keep", "$/month*"):
        grid.add_column(column, justify="right", no_wrap=True)
    for r in result.repositories:
        grid.add_row(*([escape(r.target or "")] if with_target else []), escape(r.repository), *_cells(r.impact, price))
    grid.add_section()
    grid.add_row(*([""] if with_target else []), "total", *_cells(result.totals().impact, price), style="bold")
    console.print(grid)
    if result.unmanaged:
        console.print(f"no configured policy: {escape(', '.join(u.repository for u in result.unmanaged))}")
    console.print(f"[dim]* {UPPER_BOUND_NOTE}[/dim]")


def _cells(i: Impact, price: float) -> list[str]:
    """Counts with their sizes: images, expired, archived, kept, and the monthly saving."""
    return [
        str(i.images),
        f"{i.expiring} · {human_bytes(i.expiring_bytes)}",
        f"{i.archiving} · {human_bytes(i.archiving_bytes)}",
        f"{i.kept} · {human_bytes(i.kept_bytes)}",
        f"{i.savings(price):.2f}",
    ]
