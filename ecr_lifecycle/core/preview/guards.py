"""The in-use guard: image references that must not be expired or archived.

Accepted forms, one per line or as a JSON list: ``repo:tag``, ``repo@sha256:…``, and the
same behind a registry host (``123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag``).
Blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ecr_lifecycle.core.preview.engine import Decision


class BadReference(ValueError):
    pass


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None = None
    digest: str | None = None
    text: str = ""


def parse_reference(text: str, where: str) -> ImageRef:
    ref = text.strip()
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        ref = rest  # drop the registry host
    if "@" in ref:
        repository, _, digest = ref.partition("@")
        if not digest.startswith("sha256:") or not repository:
            raise BadReference(f"{where}: {text!r}: expected repo@sha256:<digest>")
        return ImageRef(repository, digest=digest, text=text.strip())
    head, colon, tag = ref.rpartition(":")
    if not colon or "/" in tag or not head or not tag:
        raise BadReference(f"{where}: {text!r}: expected repo:tag, repo@sha256:<digest> or a full image URI")
    return ImageRef(head, tag=tag, text=text.strip())


def parse_references(text: str, source: str) -> list[ImageRef]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadReference(f"{source}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        if not all(isinstance(i, str) for i in items):
            raise BadReference(f"{source}: expected a JSON list of strings")
        return [parse_reference(item, f"{source}[{n}]") for n, item in enumerate(items)]
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.strip().startswith("#"):
            refs.append(parse_reference(line, f"{source}:{n}"))
    return refs


@dataclass(frozen=True)
class InUseHit:
    reference: ImageRef
    decision: Decision


def in_use_hits(decisions: dict[str, list[Decision]], refs: list[ImageRef]) -> list[InUseHit]:
    """References whose image some rule would expire or archive."""
    hits = []
    for ref in refs:
        for decision in decisions.get(ref.repository, ()):
            image = decision.image
            if (ref.digest is not None and image.digest == ref.digest) or (
                ref.tag is not None and ref.tag in image.tags
            ):
                hits.append(InUseHit(ref, decision))
    return hits
