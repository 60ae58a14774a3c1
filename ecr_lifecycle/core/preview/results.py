"""Preview results: the AWS-shaped part (``GetLifecyclePolicyPreview``) and our estimates beside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from operator import attrgetter
from typing import Any

import msgspec

from ecr_lifecycle.core.policy.model import ActionType
from ecr_lifecycle.core.preview.engine import Decision, Unverified, unverified_choices
from ecr_lifecycle.core.preview.inventory import Image

GIB = 1024**3
# Standard storage, us-east-1 (https://aws.amazon.com/ecr/pricing/); --price-per-gb overrides it.
DEFAULT_PRICE_PER_GB_MONTH = 0.10


def iso(ts: float) -> str:
    """``datetime.fromtimestamp(ts, UTC).isoformat()``, for whole seconds from a table of hours: a preview
    writes one per decision (hundreds of thousands), and formatting a datetime each time cost more than all
    the JSON encoding."""
    whole = int(ts)
    if whole == ts:
        prefix = _HOURS.get(whole // 3600)
        if prefix is not None:
            return prefix + _MINUTES_SECONDS[whole % 3600]
        if len(_HOURS) >= 100_000:
            _HOURS.clear()
        hour = whole // 3600
        _HOURS[hour] = datetime.fromtimestamp(hour * 3600, tz=UTC).isoformat()[:14]  # YYYY-MM-DDTHH:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat()


_encode = msgspec.json.Encoder().encode
_HOURS: dict[int, str] = {}
_MINUTES_SECONDS = [f"{m:02d}:{s:02d}+00:00" for m in range(60) for s in range(60)]
_size = attrgetter("size")
_decision_size = attrgetter("image.size")
_rule = attrgetter("rule")
_pushed_zone = attrgetter("image.pushed_at.tzinfo")
_UTC_AS_OFFSET = (b'Z","action":', b'+00:00","action":')
_action_type = attrgetter("rule.action.type")


def savings_per_month(freed_bytes: int, price_per_gb: float) -> float:
    """Dollars a month that deleting ``freed_bytes`` saves at most (GB = 2^30 bytes), to the cent."""
    return round(freed_bytes / GIB * price_per_gb, 2)


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


@dataclass(frozen=True)
class Impact:
    """What a policy does to a set of images: counts and bytes expired, archived and kept."""

    images: int = 0
    expiring: int = 0
    expiring_bytes: int = 0
    archiving: int = 0
    archiving_bytes: int = 0
    kept: int = 0
    kept_bytes: int = 0

    def __add__(self, other: Impact) -> Impact:
        return Impact(
            self.images + other.images,
            self.expiring + other.expiring,
            self.expiring_bytes + other.expiring_bytes,
            self.archiving + other.archiving,
            self.archiving_bytes + other.archiving_bytes,
            self.kept + other.kept,
            self.kept_bytes + other.kept_bytes,
        )

    def savings(self, price_per_gb: float) -> float:
        return savings_per_month(self.expiring_bytes, price_per_gb)


@dataclass(frozen=True)
class Totals:
    repositories: int
    impact: Impact

    @staticmethod
    def of(impacts: Iterable[Impact]) -> Totals:
        total, n = Impact(), 0
        for impact in impacts:
            total, n = total + impact, n + 1
        return Totals(n, total)


class PreviewResult(msgspec.Struct, gc=False):
    """One entry of ``previewResults`` as GetLifecyclePolicyPreview returns it (encoded in C, field order kept)."""

    imageTags: tuple[str, ...]
    imageDigest: str
    imagePushedAt: datetime  # in UTC: msgspec writes it with a "Z", the output has "+00:00" (``_UTC_AS_OFFSET``)
    action: dict[str, Any]
    appliedRulePriority: int
    storageClass: str


@dataclass(frozen=True)
class RepositoryPreview:
    """One repository of one target, previewed under one policy."""

    target: str | None  # None when no config names the target (a single --policy file)
    repository: str
    policy_text: str
    images: tuple[Image, ...]
    decisions: tuple[Decision, ...]

    @cached_property
    def expired(self) -> list[Decision]:
        if set(map(_action_type, self.decisions)) <= {ActionType.EXPIRE}:  # the usual case, tested in C
            return list(self.decisions)
        return [d for d in self.decisions if d.rule.action.type is ActionType.EXPIRE]

    @cached_property
    def transitioned(self) -> list[Decision]:
        if set(map(_action_type, self.decisions)) <= {ActionType.EXPIRE}:
            return []
        return [d for d in self.decisions if d.rule.action.type is ActionType.TRANSITION]

    @cached_property
    def unverified(self) -> tuple[Unverified, ...]:
        """The unverified choices these figures rest on (see ``engine``), each with its direction."""
        return unverified_choices(self.images, self.decisions)

    @cached_property
    def impact(self) -> Impact:
        expired, archived = self.expired, self.transitioned
        expiring_bytes = sum(map(_decision_size, expired))
        archiving_bytes = sum(map(_decision_size, archived))
        # An image gets at most one decision, so what is not acted on is the rest.
        return Impact(
            images=len(self.images),
            expiring=len(expired),
            expiring_bytes=expiring_bytes,
            archiving=len(archived),
            archiving_bytes=archiving_bytes,
            kept=len(self.images) - len(self.decisions),
            kept_bytes=sum(map(_size, self.images)) - expiring_bytes - archiving_bytes,
        )

    @cached_property
    def preview_results_json(self) -> bytes:
        """``previewResults`` as JSON, in the order of ``decisions`` (encoded in C). A fleet preview builds it
        right after evaluating the repository, while its images are still in the CPU's caches."""
        # Per rule once, not per image: a repository has a handful of rules and thousands of decisions.
        rules = list(map(_rule, self.decisions))
        meta: dict[int, tuple[dict[str, Any], int]] = {}
        for key, rule in dict(zip(map(id, rules), rules, strict=True)).items():
            action: dict[str, Any] = {"type": rule.action.type.value.upper()}
            if rule.action.target_storage_class is not None:
                action["targetStorageClass"] = rule.action.target_storage_class.value.upper()
            meta[key] = (action, rule.rule_priority)
        decisions = self.decisions
        if set(map(_pushed_zone, decisions)) - {UTC}:  # a time given with another offset: written in UTC
            decisions = tuple(
                Decision(msgspec.structs.replace(image, pushed_at=image.pushed_at.astimezone(UTC)), rule)
                for image, rule in decisions
            )
        results = [
            PreviewResult(
                image.tags,
                image.digest,
                image.pushed_at,
                *meta[id(rule)],
                "ARCHIVE" if image.status == "ARCHIVED" else "STANDARD",
            )
            for image, rule in decisions
        ]
        # The one "Z" followed by '","action":' in each result ends its push time: inside a JSON string
        # a quote is always escaped.
        return _encode(results).replace(*_UTC_AS_OFFSET)

    def aws_shape(self) -> dict[str, Any]:
        """Exactly the fields of ``GetLifecyclePolicyPreview`` (enums upper-case, as the API returns them)."""
        impact = self.impact
        summary: dict[str, Any] = {"expiringImageTotalCount": impact.expiring}
        if impact.archiving:
            summary["transitioningImageTotalCounts"] = [
                {"targetStorageClass": "ARCHIVE", "imageTotalCount": impact.archiving}
            ]
        return {
            "repositoryName": self.repository,
            "lifecyclePolicyText": self.policy_text,
            "status": "COMPLETE",
            "previewResults": msgspec.Raw(self.preview_results_json),
            "summary": summary,
        }
