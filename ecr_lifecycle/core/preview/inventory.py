"""Image inventories in the shape ``aws ecr describe-images`` prints (``{"imageDetails": [...]}``).

Timestamps may be ISO 8601 strings or epoch seconds. One extra field is ours:
``childImageDigests`` on an image index (multi-arch manifest list) lists the digests of
the manifests it references; those are protected while the index exists.
``imageStatus`` ARCHIVED puts an image in the archive storage class.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ecr_lifecycle.core.policy.model import StorageClass
from ecr_lifecycle.core.sourcefile import SourceError, read_bytes

CHILDREN_FIELD = "childImageDigests"


class InventoryError(ValueError):
    """Bad inventory input; the message names the file and the record. ``unreadable``: the file could
    not be read or is not JSON (a usage problem), rather than JSON with wrong content."""

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


class Image(NamedTuple):
    """One image. A NamedTuple rather than a dataclass: a million of them are built per preview."""

    repository: str
    digest: str
    tags: tuple[str, ...]
    pushed_at: float  # epoch seconds
    size: int
    storage_class: StorageClass
    last_pulled_at: float | None = None
    last_archived_at: float | None = None
    last_activated_at: float | None = None
    children: tuple[str, ...] = ()
    activating: bool = False  # being restored: never actioned (unverified in AWS; the safe choice)

    @property
    def effective_pushed_at(self) -> float:
        """Push time for ordering and age: the last restore counts as a fresh push."""
        return self.last_activated_at if self.last_activated_at is not None else self.pushed_at


# Timestamps we accept: 1970-01-01 to 9999-12-31 (no image predates the epoch; nan and inf are no dates).
LATEST_TIME = 253_402_300_799.0
# ``imageSizeInBytes`` is a 64-bit integer in the ECR API.
MAX_IMAGE_SIZE = 2**63 - 1


def _in_range(seconds: float, value: Any, where: str) -> float:
    if not 0.0 <= seconds <= LATEST_TIME:  # also false for nan
        raise InventoryError(f"{where}: {value!r} is not a date between 1970 and 9999")
    return seconds


def parse_time(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise InventoryError(f"{where}: expected a timestamp, found a boolean")
    if isinstance(value, (int, float)):
        try:
            return _in_range(float(value), value, where)
        except OverflowError:
            raise InventoryError(f"{where}: {value!r} is not a date between 1970 and 9999") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                seconds = float(text)
            except ValueError:
                raise InventoryError(f"{where}: {value!r} is neither ISO 8601 nor epoch seconds") from None
            return _in_range(seconds, value, where)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return _in_range(parsed.timestamp(), value, where)
        except OverflowError:
            raise InventoryError(f"{where}: {value!r} is not a date between 1970 and 9999") from None
    raise InventoryError(f"{where}: expected a timestamp, found {type(value).__name__}")


def _optional_time(raw: dict[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    return None if value is None else parse_time(value, f"{where}.{key}")


def parse_image(raw: Any, where: str) -> Image:
    if not isinstance(raw, dict):
        raise InventoryError(f"{where}: expected an object")
    repository = raw.get("repositoryName")
    digest = raw.get("imageDigest")
    if not isinstance(repository, str) or not repository:
        raise InventoryError(f"{where}.repositoryName: missing or not a string")
    if not isinstance(digest, str) or not digest:
        raise InventoryError(f"{where}.imageDigest: missing or not a string")
    if "imagePushedAt" not in raw:
        raise InventoryError(f"{where}.imagePushedAt: missing")
    tags = raw.get("imageTags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InventoryError(f"{where}.imageTags: expected a list of strings")
    size = raw.get("imageSizeInBytes", 0)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_IMAGE_SIZE:
        raise InventoryError(f"{where}.imageSizeInBytes: expected a whole number of bytes")
    status = raw.get("imageStatus") or "ACTIVE"
    if status not in ("ACTIVE", "ARCHIVED", "ACTIVATING"):
        raise InventoryError(f"{where}.imageStatus: {status!r} is not ACTIVE, ARCHIVED or ACTIVATING")
    children = raw.get(CHILDREN_FIELD) or []
    if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
        raise InventoryError(f"{where}.{CHILDREN_FIELD}: expected a list of digests")
    return Image(
        repository=repository,
        digest=digest,
        tags=tuple(tags),
        pushed_at=parse_time(raw["imagePushedAt"], f"{where}.imagePushedAt"),
        size=size,
        storage_class=StorageClass.ARCHIVE if status == "ARCHIVED" else StorageClass.STANDARD,
        last_pulled_at=_optional_time(raw, "lastRecordedPullTime", where),
        last_archived_at=_optional_time(raw, "lastArchivedAt", where),
        last_activated_at=_optional_time(raw, "lastActivatedAt", where),
        children=tuple(children),
        activating=status == "ACTIVATING",
    )


_STANDARD, _ARCHIVE = StorageClass.STANDARD, StorageClass.ARCHIVE
_fromiso = datetime.fromisoformat


class _Unusual(Exception):
    """The fast path met something it does not handle; the checked path decides."""


def _fast_time(value: Any) -> float:
    if type(value) is str:
        parsed = _fromiso(value)
        if parsed.tzinfo is None:
            raise _Unusual
        seconds = parsed.timestamp()
    elif type(value) is float or type(value) is int:
        seconds = float(value)
    else:
        raise _Unusual
    if not 0.0 <= seconds <= LATEST_TIME:
        raise _Unusual
    return seconds


def _fast_image(raw: dict[str, Any]) -> Image:
    """The common shape only, with no per-record strings built; anything else raises."""
    repository = raw["repositoryName"]
    digest = raw["imageDigest"]
    tags = raw.get("imageTags")
    size = raw.get("imageSizeInBytes", 0)
    if type(repository) is not str or type(digest) is not str or not repository or not digest:
        raise _Unusual
    if tags is None:
        tags = ()
    elif type(tags) is list:
        for tag in tags:
            if type(tag) is not str:
                raise _Unusual
        tags = tuple(tags)
    else:
        raise _Unusual
    if type(size) is not int or not 0 <= size <= MAX_IMAGE_SIZE:
        raise _Unusual
    status = raw.get("imageStatus")
    if status is not None and status != "ACTIVE":
        raise _Unusual  # archived, activating or malformed: the checked path
    pulled = raw.get("lastRecordedPullTime")
    if raw.get("lastArchivedAt") is not None or raw.get("lastActivatedAt") is not None or raw.get(CHILDREN_FIELD):
        raise _Unusual
    return Image(
        repository,
        digest,
        tags,
        _fast_time(raw["imagePushedAt"]),
        size,
        _STANDARD,
        None if pulled is None else _fast_time(pulled),
    )


def parse_inventory(data: Any, source: str) -> list[Image]:
    if not isinstance(data, dict) or not isinstance(data.get("imageDetails"), list):
        raise InventoryError(
            f"{source}: expected an object with an 'imageDetails' list (aws ecr describe-images output)"
        )
    images: list[Image] = []
    append = images.append
    for i, raw in enumerate(data["imageDetails"]):
        try:
            append(_fast_image(raw))
        except (_Unusual, KeyError, TypeError, ValueError, AttributeError, OverflowError):
            append(parse_image(raw, f"{source}: imageDetails[{i}]"))
    return images


def inventory_files(paths: list[str]) -> list[str]:
    """Expand folders into their ``*.json`` files (recursively, sorted)."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(".json"))
        else:
            files.append(path)
    return files


# Inventories are large (a 1,000,000-image registry is ~300 MB of JSON); the bound only stops runaway input.
MAX_INVENTORY_BYTES = 8 * 1024**3


def load_inventory(paths: list[str]) -> list[Image]:
    images: list[Image] = []
    for path in inventory_files(paths):
        try:
            data = json.loads(read_bytes(path, "inventory file", MAX_INVENTORY_BYTES))
        except SourceError as exc:
            raise InventoryError(exc.messages[0], unreadable=True) from None
        except UnicodeDecodeError as exc:
            raise InventoryError(f"{path}: not UTF-8 text ({exc.reason})", unreadable=True) from None
        except json.JSONDecodeError as exc:
            raise InventoryError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}", unreadable=True) from None
        except RecursionError:
            raise InventoryError(f"{path}: JSON nested too deeply for an inventory", unreadable=True) from None
        images.extend(parse_inventory(data, path))
    return images
