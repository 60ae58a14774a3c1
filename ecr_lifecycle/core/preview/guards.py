"""The guards: image references that must not be expired or archived, and a cap on the share removed.

References take every form Docker accepts, ``[registry/]repository[:tag][@digest]``, one per line
(blank lines and ``#`` comments ignored) or as a JSON list of strings. The digest wins over the
tag when both are given (it is what runs; tags move); neither means ``:latest``, as Docker reads it.
A reference with an ECR registry host only concerns the target with that account and region; one
with another registry host (``ghcr.io``, ``docker.io``, ``public.ecr.aws``, ...) concerns no target.
ECR's private registry hosts (AWS docs, "Amazon ECR endpoints and quotas" and "Dual-stack endpoints"):

- ``<account>.dkr.ecr.<region>.amazonaws.com`` and ``<account>.dkr.ecr-fips.<region>.amazonaws.com``
- ``<account>.dkr.ecr.<region>.amazonaws.com.cn`` (China regions)
- ``<account>.dkr-ecr.<region>.on.aws`` and ``<account>.dkr-ecr-fips.<region>.on.aws`` (dual-stack)
- ``<account>.dkr-ecr.<region>.on.amazonwebservices.com.cn`` (dual-stack, China regions)

each in any letter case and with an optional ``:port``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecr_lifecycle.core.preview.engine import Decision
from ecr_lifecycle.core.preview.fleet import FleetPreview

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*\Z")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+\Z")
_ECR_HOST = re.compile(
    r"^(\d{12})\.(?:dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"|dkr-ecr(?:-fips)?\.([a-z0-9-]+)\.on\.(?:aws|amazonwebservices\.com\.cn))(?::\d{1,5})?\Z"
)


class BadReference(ValueError):
    """An in-use list that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Usage:
    """One place an image is used: ``kind`` ("Kubernetes Deployment", "ECS service", ...) and its name."""

    kind: str
    name: str
    detail: str = ""  # a container name, a task definition revision, an alias

    def text(self) -> str:
        return f"{self.kind} {self.name}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None = None
    digest: str | None = None
    text: str = ""
    host: str | None = None  # registry host as written, None when the reference names none
    account: str | None = None  # from an ECR host
    region: str | None = None  # from an ECR host
    used_by: tuple[Usage, ...] = ()  # where it runs, when the list came from `in-use`

    def concerns(self, account: str | None, region: str | None) -> bool:
        """Whether this reference can name an image in the registry of ``account``/``region``.

        Unknown on either side means "maybe", and a guard must assume yes."""
        if self.host is None:
            return True
        if self.account is None:
            return False  # another registry than ECR
        return (account is None or account == self.account) and (region is None or region == self.region)


def parse_reference(text: str, where: str) -> ImageRef:
    ref = text.strip()
    name, at, digest = ref.partition("@")
    if at and not _DIGEST.match(digest):
        raise BadReference(f"{where}: {text.strip()!r}: {digest!r} is not a digest (expected sha256:<hex>)")
    host: str | None = None
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, name = first.lower(), rest
    path, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        path, tag = name, ""
    if not _REPOSITORY.match(path):
        raise BadReference(
            f"{where}: {text.strip()!r}: expected [registry/]repository[:tag][@digest], "
            f"and {path!r} is not a repository name"
        )
    if colon and not _TAG.match(tag):
        raise BadReference(f"{where}: {text.strip()!r}: {tag!r} is not a valid tag")
    if not tag and not at:
        tag = "latest"  # what Docker, the kubelet and ECS pull for a bare repository
    account = region = None
    if host is not None:
        ecr = _ECR_HOST.match(host)
        if ecr:
            account, region = ecr.group(1), ecr.group(2) or ecr.group(3)
    return ImageRef(path, tag or None, digest or None, text.strip(), host, account, region)


def parse_references(text: str, source: str) -> list[ImageRef]:
    """Lines, a JSON list of strings, or the JSON object ``in-use`` writes (references with their users)."""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadReference(f"{source}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise BadReference(f"{source}: JSON nested too deeply; expected a list of strings") from None
        if isinstance(items, dict):
            return _from_in_use(items, source)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise BadReference(f"{source}: expected a JSON list of strings")
        return [parse_reference(item, f"{source}[{n}]") for n, item in enumerate(items)]
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.strip().startswith("#"):
            refs.append(parse_reference(line, f"{source}:{n}"))
    return refs


def _from_in_use(doc: dict[str, Any], source: str) -> list[ImageRef]:
    items = doc.get("images")
    if not isinstance(items, list):
        raise BadReference(f"{source}: expected an object with an 'images' list (what `in-use` writes)")
    out = []
    for n, item in enumerate(items):
        where = f"{source}: images[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("reference"), str):
            raise BadReference(f"{where}: expected an object with a 'reference' string")
        uses = []
        for u in item.get("usedBy") or []:
            if not isinstance(u, dict) or not isinstance(u.get("kind"), str) or not isinstance(u.get("name"), str):
                raise BadReference(f"{where}.usedBy: expected objects with 'kind' and 'name' strings")
            uses.append(Usage(u["kind"], u["name"], str(u.get("detail") or "")))
        out.append(dataclasses.replace(parse_reference(item["reference"], where), used_by=tuple(uses)))
    return out


@dataclass(frozen=True)
class InUseHit:
    reference: ImageRef
    target: str | None
    decision: Decision
    when: float | None = None  # a later daily run (with a horizon), None for today's

    def message(self) -> str:
        where = f" (target {self.target})" if self.target is not None else ""
        if self.when is not None:
            where += f" on {datetime.fromtimestamp(self.when, tz=UTC).date().isoformat()} if nothing changes"
        users = self.reference.used_by
        used = f" used by {'; '.join(u.text() for u in users[:3])}{' …' if len(users) > 3 else ''}" if users else ""
        return (
            f"in-use image {self.reference.text}{used} would be {self.decision.action.value}d by "
            f"{self.decision.rule.label} in {self.decision.image.repository}{where}"
        )


@dataclass(frozen=True)
class OverLimit:
    target: str | None
    repository: str
    percent: float  # rounded to one decimal
    limit: float
    removed: int
    images: int

    def message(self) -> str:
        where = f" (target {self.target})" if self.target is not None else ""
        return f"{self.repository}{where} would lose {self.percent}% of its images (limit {self.limit}%)"


@dataclass(frozen=True)
class GuardReport:
    in_use: tuple[InUseHit, ...] = ()
    over_limit: tuple[OverLimit, ...] = ()

    @property
    def tripped(self) -> bool:
        return bool(self.in_use or self.over_limit)

    def messages(self) -> list[str]:
        return [f"guard: {h.message()}" for h in self.in_use] + [f"guard: {o.message()}" for o in self.over_limit]


# (target, repository) -> that repository's decisions
Decisions = Mapping[tuple[str | None, str], Iterable[Decision]]
# target -> (account, region) of its registry; a target not listed is matched by repository name only
Registries = Mapping[str | None, tuple[str | None, str | None]]


def in_use_hits(
    decisions: Decisions,
    refs: Iterable[ImageRef],
    registries: Registries,
    upcoming: Iterable[tuple[str | None, Decision, float]] = (),
) -> tuple[InUseHit, ...]:
    """References whose image some rule would expire or archive (today, or on a later day of a forecast),
    in every target they can name."""
    by_repository: dict[str, list[tuple[str | None, Decision, float | None]]] = {}
    for (target, repository), repo_decisions in decisions.items():
        by_repository.setdefault(repository, []).extend((target, d, None) for d in repo_decisions)
    for later_target, later, day in upcoming:
        by_repository.setdefault(later.image.repository, []).append((later_target, later, day))
    hits = []
    for ref in refs:
        for target, decision, when in by_repository.get(ref.repository, ()):
            if not ref.concerns(*registries.get(target, (None, None))):
                continue
            image = decision.image
            if ref.digest is not None:
                if image.digest == ref.digest or ref.digest in image.children:
                    hits.append(InUseHit(ref, target, decision, when))
            elif ref.tag is not None and ref.tag in image.tags:
                hits.append(InUseHit(ref, target, decision, when))
    return tuple(hits)


def over_expire_limit(preview: FleetPreview, limit: float) -> tuple[OverLimit, ...]:
    """Repositories that would lose more than ``limit`` percent of their images (expired or archived)."""
    out = []
    for r in preview.repositories:
        impact = r.impact
        if not impact.images:
            continue
        removed = impact.expiring + impact.archiving
        percent = 100.0 * removed / impact.images
        if percent > limit:
            out.append(OverLimit(r.target, r.repository, round(percent, 1), limit, removed, impact.images))
    return tuple(out)
