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
from functools import lru_cache
from operator import attrgetter
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from ecr_lifecycle.core.policy.model import StorageClass
from ecr_lifecycle.core.preview.pieces import Piece, PieceChanged, cut, read_piece
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
_Aware = Annotated[datetime, Meta(tz=True)]
_Named = Annotated[str, Meta(min_length=1)]


class Image(
    msgspec.Struct,
    frozen=True,
    gc=False,
    omit_defaults=True,
    rename={
        "repository": "repositoryName",
        "digest": "imageDigest",
        "pushed_at": "imagePushedAt",
        "tags": "imageTags",
        "size": "imageSizeInBytes",
        "status": "imageStatus",
        "last_pulled_at": "lastRecordedPullTime",
        "last_archived_at": "lastArchivedAt",
        "last_activated_at": "lastActivatedAt",
        "children": CHILDREN_FIELD,
    },
):
    """One image, as ``describe-images`` lists it. A struct that msgspec decodes straight from the JSON, in C,
    types and bounds checked there too (a million of them per preview; anything it does not take goes to the
    checked path, ``parse_image``). Times are aware datetimes: exact, and written back out by msgspec in C."""

    repository: _Named
    digest: _Named
    pushed_at: _Aware
    tags: tuple[str, ...] = ()
    size: Annotated[int, Meta(ge=0, le=MAX_IMAGE_SIZE)] = 0
    status: Status | None = None  # None: ACTIVE
    last_pulled_at: _Aware | None = None
    last_archived_at: _Aware | None = None
    last_activated_at: _Aware | None = None
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


# The typed path: msgspec decodes the JSON bytes straight into ``Image``s (unknown fields skipped, types and
# bounds checked, all in C), several times faster than building dicts. Inventories with epoch numbers for
# times (what AWS CLI v1 prints by default) take the loose typed path: records first, then images. Anything
# neither takes as is (a wrong type, an epoch as a string, a naive time, a value out of range) sends the
# whole file to the checked path, which decides with its exact messages: the paths accept and build the
# same images (a property test).
class _Inventory(msgspec.Struct, gc=False):
    imageDetails: list[Image]


_DECODER = msgspec.json.Decoder(_Inventory)
_PIECE_DECODER = msgspec.json.Decoder(list[Image])


class _Irregular(Exception):
    pass


_pushed = attrgetter("pushed_at")
_OPTIONAL_TIMES = tuple(map(attrgetter, ("last_pulled_at", "last_archived_at", "last_activated_at")))


def _grouped(images: list[Image]) -> list[Image]:
    """Images grouped by repository, in order of first appearance (file order within one), their times
    checked to lie between 1970 and 9999 (each check in C over the whole list); ``images`` is emptied."""
    if images:
        pushed = list(map(_pushed, images))
        if min(pushed) < EARLIEST or max(pushed) > LATEST:
            raise _Irregular
        del pushed
        for time_of in _OPTIONAL_TIMES:
            given = list(filter(None, map(time_of, images)))  # datetimes are never false
            if given and (min(given) < EARLIEST or max(given) > LATEST):
                raise _Irregular
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


_Time = datetime | float


class _Detail(msgspec.Struct, gc=False):
    """A record of the loose typed path: times may be epoch numbers."""

    repositoryName: str
    imageDigest: str
    imagePushedAt: _Time
    imageTags: tuple[str, ...] | None = None
    imageSizeInBytes: int = 0
    imageStatus: str | None = None
    lastRecordedPullTime: _Time | None = None
    lastArchivedAt: _Time | None = None
    lastActivatedAt: _Time | None = None
    childImageDigests: tuple[str, ...] | None = None


class _LooseInventory(msgspec.Struct, gc=False):
    imageDetails: list[_Detail]


_LOOSE_DECODER = msgspec.json.Decoder(_LooseInventory)
_LOOSE_PIECE_DECODER = msgspec.json.Decoder(list[_Detail])
_STATUSES: dict[str | None, Status | None] = {
    None: None,
    "ACTIVE": "ACTIVE",
    "ARCHIVED": "ARCHIVED",
    "ACTIVATING": "ACTIVATING",
}


def _instant(value: _Time) -> datetime:
    if type(value) is datetime:
        if value.tzinfo is None:
            raise _Irregular
        moment = value
    else:
        seconds = float(value)  # type: ignore[arg-type]
        if not 0.0 <= seconds <= LATEST_TIME:
            raise _Irregular
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    if not EARLIEST <= moment <= LATEST:
        raise _Irregular
    return moment


def _optional_instant(value: _Time | None) -> datetime | None:
    return None if value is None else _instant(value)


def _built(details: list[_Detail]) -> list[Image]:
    """The images of loose records, grouped as ``_grouped`` does (``details`` is emptied)."""
    images: list[Image] = []
    for d in details:
        if not d.repositoryName or not d.imageDigest or not 0 <= d.imageSizeInBytes <= MAX_IMAGE_SIZE:
            raise _Irregular
        if d.imageStatus not in _STATUSES:
            raise _Irregular
        images.append(
            Image(
                d.repositoryName,
                d.imageDigest,
                _instant(d.imagePushedAt),
                d.imageTags or (),
                d.imageSizeInBytes,
                _STATUSES[d.imageStatus],
                _optional_instant(d.lastRecordedPullTime),
                _optional_instant(d.lastArchivedAt),
                _optional_instant(d.lastActivatedAt),
                d.childImageDigests or (),
            )
        )
    details.clear()
    return _grouped(images)


def _typed(raw: bytes) -> list[Image]:
    """Images grouped by repository by the typed path, strict else loose (``NOT_TYPED`` errors)."""
    try:
        return _grouped(_DECODER.decode(raw).imageDetails)
    except (msgspec.DecodeError, _Irregular):
        return _built(_LOOSE_DECODER.decode(raw).imageDetails)


def decode_inventory(raw: bytes, source: str) -> list[Image]:
    """Images from ``describe-images`` JSON bytes: the typed path, else the checked path's verdict."""
    try:
        return _typed(raw)
    except (msgspec.DecodeError, _Irregular, OverflowError, ValueError):
        pass
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
    """``decode_inventory`` of each file, read a piece at a time where it can be (``pieces``): the bytes and
    the decoded images together are the preview's peak memory, so only one piece's bytes are held."""
    images: list[Image] = []
    for path in inventory_files(paths):
        typed = _typed_images(path)
        images.extend(typed if typed is not None else _checked(_read(path), path))
    return images


# What makes the typed path give a file over to the checked path.
NOT_TYPED = (msgspec.DecodeError, _Irregular, OverflowError, ValueError, PieceChanged)


def decode_piece(piece: Piece) -> list[Image]:
    """The images of one piece by the typed path (``NOT_TYPED`` errors when it does not take them);
    ``group_images`` checks and groups them."""
    raw = read_piece(piece)
    try:
        return _PIECE_DECODER.decode(raw)
    except msgspec.DecodeError:
        return _built(_LOOSE_PIECE_DECODER.decode(raw))


def group_images(images: list[Image]) -> list[Image]:
    """Decoded images grouped by repository, their times checked (``images`` is emptied; ``NOT_TYPED``)."""
    return _grouped(images)


def _typed_images(path: str) -> list[Image] | None:
    """The file's images by the typed path, a piece at a time when it cuts; None when the checked path is
    to decide (it reads the file again and phrases the error, if any)."""
    pieces = cut(path)
    if pieces is not None and pieces[-1].stop < MAX_INVENTORY_BYTES:
        try:
            images: list[Image] = []
            for piece in pieces:
                images += decode_piece(piece)
            return _grouped(images)
        except NOT_TYPED:
            pass  # a cut that was no boundary (inside a string, a key after the list), or epoch numbers
    try:
        return _typed(_read(path))
    except NOT_TYPED:
        return None
