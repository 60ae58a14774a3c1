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
from functools import lru_cache, partial
from itertools import starmap
from operator import attrgetter, is_not
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from msgspec.structs import astuple

from ecr_lifecycle.core.policy.model import StorageClass
from ecr_lifecycle.core.sourcefile import SourceError, read_bytes

CHILDREN_FIELD = "childImageDigests"


class InventoryError(ValueError):
    """Bad inventory input; the message names the file and the record. ``unreadable``: the file could
    not be read or is not JSON (a usage problem), rather than JSON with wrong content."""

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


# Timestamps we accept: 1970-01-01 to 9999-12-31 (no image predates the epoch; nan and inf are no dates).
LATEST_TIME = 253_402_300_799.0
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
# ``imageSizeInBytes`` is a 64-bit integer in the ECR API.
MAX_IMAGE_SIZE = 2**63 - 1

Status = Literal["ACTIVE", "ARCHIVED", "ACTIVATING"]
_Named = Annotated[str, Meta(min_length=1)]


class Image(msgspec.Struct, frozen=True, gc=False):
    """One image, as ``describe-images`` lists it (a million of them per preview: a struct, built in C).
    Times are aware datetimes: exact, and written back out by msgspec in C."""

    repository: str
    digest: str
    pushed_at: datetime
    tags: tuple[str, ...] = ()
    size: int = 0
    status: Status | None = None  # None: ACTIVE
    last_pulled_at: datetime | None = None
    last_archived_at: datetime | None = None
    last_activated_at: datetime | None = None
    children: tuple[str, ...] = ()  # ours: the manifests an image index references

    @property
    def storage_class(self) -> StorageClass:
        return StorageClass.ARCHIVE if self.status == "ARCHIVED" else StorageClass.STANDARD

    @property
    def activating(self) -> bool:
        """Being restored: never actioned (unverified in AWS; the safe choice)."""
        return self.status == "ACTIVATING"

    @property
    def effective_pushed_at(self) -> datetime:
        """Push time for ordering and age: the last restore counts as a fresh push."""
        return self.last_activated_at if self.last_activated_at is not None else self.pushed_at


@lru_cache(maxsize=1024)
def instant(seconds: float) -> datetime:
    """Epoch seconds as an aware UTC datetime (the evaluation time, a handful per preview)."""
    return datetime.fromtimestamp(seconds, tz=UTC)


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


def parse_instant(value: Any, where: str) -> datetime:
    """``parse_time`` as an aware datetime: ISO 8601 strings keep their own precision (naive ones are UTC)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
            try:
                if EARLIEST <= aware <= LATEST:
                    return aware
            except OverflowError:
                pass
            raise InventoryError(f"{where}: {value!r} is not a date between 1970 and 9999")
    return datetime.fromtimestamp(parse_time(value, where), tz=UTC)


def _optional_time(raw: dict[str, Any], key: str, where: str) -> datetime | None:
    value = raw.get(key)
    return None if value is None else parse_instant(value, f"{where}.{key}")


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
        pushed_at=parse_instant(raw["imagePushedAt"], f"{where}.imagePushedAt"),
        tags=tuple(tags),
        size=size,
        status=raw.get("imageStatus") or None,
        last_pulled_at=_optional_time(raw, "lastRecordedPullTime", where),
        last_archived_at=_optional_time(raw, "lastArchivedAt", where),
        last_activated_at=_optional_time(raw, "lastActivatedAt", where),
        children=tuple(children),
    )


def parse_inventory(data: Any, source: str) -> list[Image]:
    """The checked path: every record of decoded JSON, with a message naming the record on any problem."""
    if not isinstance(data, dict) or not isinstance(data.get("imageDetails"), list):
        raise InventoryError(
            f"{source}: expected an object with an 'imageDetails' list (aws ecr describe-images output)"
        )
    return [parse_image(raw, f"{source}: imageDetails[{i}]") for i, raw in enumerate(data["imageDetails"])]


# The typed path: msgspec decodes the JSON bytes into records in one pass, in C (unknown fields skipped, types
# and bounds checked), several times faster than building dicts; times are ISO 8601 strings (decoded to
# datetimes) or epoch numbers (what AWS CLI v1 prints by default). Anything it does not take (a wrong type,
# an epoch as a string, a value out of range) sends the whole file to the checked path, which decides with its
# exact messages: the paths accept and build the same images (a property test).
_Time = datetime | float


class _Record(msgspec.Struct, gc=False):
    """A record as the typed path decodes it: ``Image``'s fields, in its order, times not yet instants."""

    repositoryName: _Named
    imageDigest: _Named
    imagePushedAt: _Time
    imageTags: tuple[str, ...] | None = None
    imageSizeInBytes: Annotated[int, Meta(ge=0, le=MAX_IMAGE_SIZE)] = 0
    imageStatus: Status | None = None
    lastRecordedPullTime: _Time | None = None
    lastArchivedAt: _Time | None = None
    lastActivatedAt: _Time | None = None
    childImageDigests: tuple[str, ...] | None = None


class _Inventory(msgspec.Struct, gc=False):
    imageDetails: list[_Record]


_DECODER = msgspec.json.Decoder(_Inventory)


class _Irregular(Exception):
    pass


_TIMES = tuple(map(attrgetter, ("imagePushedAt", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt")))
_LISTS = tuple(map(attrgetter, ("imageTags", "childImageDigests")))
_zone = attrgetter("tzinfo")
_given = partial(is_not, None)


def _regular(records: list[_Record]) -> bool:
    """Every time an aware datetime between 1970 and 9999 and no list null: each check in C over all records."""
    for time_of in _TIMES:
        given = list(filter(_given, map(time_of, records)))
        if not given:
            continue
        if set(map(type, given)) != {datetime} or None in set(map(_zone, given)):
            return False
        if min(given) < EARLIEST or max(given) > LATEST:
            raise _Irregular
    return not any(None in set(map(list_of, records)) for list_of in _LISTS)


def _instant(value: _Time) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # naive: UTC
    elif 0.0 <= value <= LATEST_TIME:  # also false for nan
        moment = datetime.fromtimestamp(value, tz=UTC)
    else:
        raise _Irregular
    if not EARLIEST <= moment <= LATEST:
        raise _Irregular
    return moment


def _optional_instant(value: _Time | None) -> datetime | None:
    return None if value is None else _instant(value)


def _image(r: _Record) -> Image:
    return Image(
        r.repositoryName,
        r.imageDigest,
        _instant(r.imagePushedAt),
        r.imageTags or (),
        r.imageSizeInBytes,
        r.imageStatus,
        _optional_instant(r.lastRecordedPullTime),
        _optional_instant(r.lastArchivedAt),
        _optional_instant(r.lastActivatedAt),
        r.childImageDigests or (),
    )


def _images(records: list[_Record]) -> list[Image]:
    """The records' images, grouped by repository in order of first appearance (file order within one);
    ``records`` is emptied. Aware times (what AWS CLI v2 prints) are taken as they are, each image built in C;
    epoch numbers and naive times (UTC) are turned into instants first."""
    images = list(starmap(Image, map(astuple, records)) if _regular(records) else map(_image, records))
    records.clear()
    groups: dict[str, list[Image]] = {}
    for image in images:
        group = groups.get(image.repository)
        if group is None:
            groups[image.repository] = [image]
        else:
            group.append(image)
    images.clear()
    for group in groups.values():
        images += group
    return images


# What makes the typed path give a file over to the checked path.
_NOT_TYPED = (msgspec.DecodeError, _Irregular, OverflowError, ValueError)


def _typed(raw: bytes) -> list[Image]:
    """Images grouped by repository by the typed path (``_NOT_TYPED`` errors when it does not take them)."""
    return _images(_DECODER.decode(raw).imageDetails)


def decode_inventory(raw: bytes, source: str) -> list[Image]:
    """Images from ``describe-images`` JSON bytes: the typed path, else the checked path's verdict."""
    try:
        return _typed(raw)
    except _NOT_TYPED:
        return _checked(raw, source)


def _checked(raw: bytes, source: str) -> list[Image]:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InventoryError(f"{source}: not UTF-8 text ({exc.reason})", unreadable=True) from None
    except json.JSONDecodeError as exc:
        raise InventoryError(f"{source}:{exc.lineno}: not valid JSON: {exc.msg}", unreadable=True) from None
    except RecursionError:
        raise InventoryError(f"{source}: JSON nested too deeply for an inventory", unreadable=True) from None
    return parse_inventory(data, source)


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


def _read(path: str) -> bytes:
    try:
        return read_bytes(path, "inventory file", MAX_INVENTORY_BYTES)
    except SourceError as exc:
        raise InventoryError(exc.messages[0], unreadable=True) from None


def load_inventory(paths: list[str]) -> list[Image]:
    """``decode_inventory`` of each file."""
    images: list[Image] = []
    for path in inventory_files(paths):
        images += _load(path)
    return images


def _load(path: str) -> list[Image]:
    raw = _read(path)
    try:
        records = _DECODER.decode(raw).imageDetails
    except msgspec.DecodeError:
        return _checked(raw, path)
    # The bytes go before the images are built: the file, its records and its images are never all held at
    # once (they would be the preview's peak memory). A file the typed path does not take is read again.
    del raw
    try:
        return _images(records)
    except _NOT_TYPED:
        return _checked(_read(path), path)
