"""Preview results: the AWS-shaped part (``GetLifecyclePolicyPreview``) and our estimates beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecr_lifecycle.core.policy.model import ActionType
from ecr_lifecycle.core.preview.engine import Decision
from ecr_lifecycle.core.preview.inventory import Image

GIB = 1024**3
DEFAULT_PRICE_PER_GB_MONTH = 0.10  # standard storage, us-east-1 (reference section 7)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat()


@dataclass(frozen=True)
class RepositoryPreview:
    repository: str
    policy_text: str
    images: tuple[Image, ...]
    decisions: tuple[Decision, ...]

    @property
    def expired(self) -> list[Decision]:
        return [d for d in self.decisions if d.action is ActionType.EXPIRE]

    @property
    def transitioned(self) -> list[Decision]:
        return [d for d in self.decisions if d.action is ActionType.TRANSITION]

    def aws_shape(self) -> dict[str, Any]:
        """Exactly the fields of ``GetLifecyclePolicyPreview`` (enums upper-case, as the API returns them)."""
        results = []
        for d in self.decisions:
            action: dict[str, Any] = {"type": d.action.value.upper()}
            if d.rule.action.target_storage_class is not None:
                action["targetStorageClass"] = d.rule.action.target_storage_class.value.upper()
            results.append(
                {
                    "imageTags": list(d.image.tags),
                    "imageDigest": d.image.digest,
                    "imagePushedAt": iso(d.image.pushed_at),
                    "action": action,
                    "appliedRulePriority": d.rule.rule_priority,
                    "storageClass": d.image.storage_class.value.upper(),
                }
            )
        summary: dict[str, Any] = {"expiringImageTotalCount": len(self.expired)}
        if self.transitioned:
            summary["transitioningImageTotalCounts"] = [
                {"targetStorageClass": "ARCHIVE", "imageTotalCount": len(self.transitioned)}
            ]
        return {
            "repositoryName": self.repository,
            "lifecyclePolicyText": self.policy_text,
            "status": "COMPLETE",
            "previewResults": results,
            "summary": summary,
        }

    def impact(self, price_per_gb: float) -> dict[str, Any]:
        expired_bytes = sum(d.image.size for d in self.expired)
        archived_bytes = sum(d.image.size for d in self.transitioned)
        acted = {d.image.digest for d in self.decisions}
        kept = [i for i in self.images if i.digest not in acted]
        return {
            "repositoryName": self.repository,
            "images": len(self.images),
            "expiring": len(self.expired),
            "expiringBytes": expired_bytes,
            "archiving": len(self.transitioned),
            "archivingBytes": archived_bytes,
            "kept": len(kept),
            "keptBytes": sum(i.size for i in kept),
            "savingsPerMonthUpperBound": round(expired_bytes / GIB * price_per_gb, 2),
        }


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
