"""Preview output documents: JSON for machines, Markdown for pull-request comments."""

from __future__ import annotations

from typing import Any

from ecr_lifecycle.core.preview.guards import InUseHit
from ecr_lifecycle.core.preview.report import GIB, human_bytes, iso
from ecr_lifecycle.core.preview.run import FleetPreview

UPPER_BOUND_NOTE = (
    "Savings are an upper bound: ECR stores layers shared between images once, so deleting an "
    "image frees only the layers no remaining image uses. Archiving saves nothing below 150 TB "
    "(archive costs the same per GB) and is billed for at least 90 days."
)


def totals(impacts: list[dict[str, Any]], price_per_gb: float) -> dict[str, Any]:
    expiring_bytes = sum(i["expiringBytes"] for i in impacts)
    return {
        "repositories": len(impacts),
        "images": sum(i["images"] for i in impacts),
        "expiring": sum(i["expiring"] for i in impacts),
        "expiringBytes": expiring_bytes,
        "archiving": sum(i["archiving"] for i in impacts),
        "archivingBytes": sum(i["archivingBytes"] for i in impacts),
        "kept": sum(i["kept"] for i in impacts),
        "keptBytes": sum(i["keptBytes"] for i in impacts),
        "savingsPerMonthUpperBound": round(expiring_bytes / GIB * price_per_gb, 2),
        "pricePerGbMonth": price_per_gb,
    }


def json_document(
    result: FleetPreview, now: float, price_per_gb: float, hits: list[InUseHit], over_limit: list[dict[str, Any]]
) -> dict[str, Any]:
    impacts = [r.impact(price_per_gb) for r in result.repositories]
    return {
        "evaluatedAt": iso(now),
        "repositories": [r.aws_shape() for r in result.repositories],
        "impact": impacts,
        "totals": totals(impacts, price_per_gb),
        "unmanagedRepositories": list(result.unmanaged),
        "inUse": [_hit(h) for h in hits],
        "overExpireLimit": over_limit,
        "notes": [UPPER_BOUND_NOTE],
    }


def _hit(hit: InUseHit) -> dict[str, Any]:
    return {
        "reference": hit.reference.text,
        "repositoryName": hit.decision.image.repository,
        "imageDigest": hit.decision.image.digest,
        "action": hit.decision.action.value.upper(),
        "appliedRulePriority": hit.decision.rule.rule_priority,
        "rule": hit.decision.rule.label,
    }


def markdown(
    result: FleetPreview,
    now: float,
    price_per_gb: float,
    hits: list[InUseHit],
    over_limit: list[dict[str, Any]],
    max_rows: int = 200,
) -> str:
    impacts = [r.impact(price_per_gb) for r in result.repositories]
    t = totals(impacts, price_per_gb)
    lines = [
        f"### ECR lifecycle preview ({iso(now)[:10]})",
        "",
        f"**{t['expiring']}** of {t['images']} images expire ({human_bytes(t['expiringBytes'])}), "
        f"**{t['archiving']}** move to archive ({human_bytes(t['archivingBytes'])}), {t['kept']} stay. "
        f"Up to **${t['savingsPerMonthUpperBound']:.2f}/month** saved at ${price_per_gb:.2f}/GB-month.",
        "",
    ]
    if hits:
        lines += ["> [!CAUTION]", f"> {len(hits)} image(s) in use would be removed:"]
        lines += [f"> - `{h.reference.text}`: {h.decision.action.value} by {h.decision.rule.label}" for h in hits]
        lines.append("")
    if over_limit:
        lines += ["> [!CAUTION]"]
        lines += [
            f"> - `{o['repositoryName']}` loses {o['percent']:.1f}% of its images (limit {o['limit']}%)"
            for o in over_limit
        ]
        lines.append("")
    lines += [
        "| repository | images | expire | archive | keep | freed (upper bound) | kept size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = sorted(impacts, key=lambda i: (-i["expiringBytes"], i["repositoryName"]))
    for i in [*rows[:max_rows], None, t]:
        if i is None:
            if len(rows) > max_rows:
                lines.append(f"| … {len(rows) - max_rows} more repositories (the total includes them) | | | | | | |")
            continue
        name = f"`{i['repositoryName']}`" if "repositoryName" in i else "**total**"
        lines.append(
            f"| {name} | {i['images']} | {i['expiring']} | {i['archiving']} | {i['kept']} | "
            f"{human_bytes(i['expiringBytes'])} | {human_bytes(i['keptBytes'])} |"
        )
    if result.unmanaged:
        lines += [
            "",
            f"{len(result.unmanaged)} repositories have no configured policy: "
            + ", ".join(f"`{n}`" for n in result.unmanaged[:20])
            + (" …" if len(result.unmanaged) > 20 else ""),
        ]
    lines += ["", f"<sub>{UPPER_BOUND_NOTE}</sub>", ""]
    return "\n".join(lines)


def expire_percent_over(result: FleetPreview, limit: float) -> list[dict[str, Any]]:
    out = []
    for r in result.repositories:
        if not r.images:
            continue
        percent = 100.0 * len(r.decisions) / len(r.images)
        if percent > limit:
            out.append(
                {
                    "repositoryName": r.repository,
                    "percent": round(percent, 1),
                    "limit": limit,
                    "removed": len(r.decisions),
                    "images": len(r.images),
                }
            )
    return out


__all__ = ["expire_percent_over", "json_document", "markdown", "totals"]
