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

import msgspec

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


def parse_inventory(data: Any, source: str) -> list[Image]:
    """The checked path: every record of decoded JSON, with a message naming the record on any problem."""
    if not isinstance(data, dict) or not isinstance(data.get("imageDetails"), list):
        raise InventoryError(
            f"{source}: expected an object with an 'imageDetails' list (aws ecr describe-images output)"
        )
    return [parse_image(raw, f"{source}: imageDetails[{i}]") for i, raw in enumerate(data["imageDetails"])]


# The typed path: msgspec decodes the JSON bytes straight into these structs (unknown fields skipped in C),
# which is several times faster than building dicts. Anything it does not take as is (a wrong type, an
# epoch as a string, a naive time, a value out of range) sends the whole file to the checked path, which
# then decides with its exact messages: both paths accept and build the same images (a property test).
_Time = datetime | float


class _Detail(msgspec.Struct, gc=False):
    repositoryName: str
    imageDigest: str
    imagePushedAt: _Time
    imageTags: tuple[str, ...] | None = None  # tuples, built in C: what Image holds
    imageSizeInBytes: int = 0
    imageStatus: str | None = None
    lastRecordedPullTime: _Time | None = None
    lastArchivedAt: _Time | None = None
    lastActivatedAt: _Time | None = None
    childImageDigests: tuple[str, ...] | None = None


class _Inventory(msgspec.Struct, gc=False):
    imageDetails: list[_Detail]


_DECODER = msgspec.json.Decoder(_Inventory)
_STATUS = {
    None: (StorageClass.STANDARD, False),
    "ACTIVE": (StorageClass.STANDARD, False),
    "ARCHIVED": (StorageClass.ARCHIVE, False),
    "ACTIVATING": (StorageClass.STANDARD, True),
}


class _Irregular(Exception):
    pass


def _seconds(value: _Time) -> float:
    if type(value) is datetime:
        if value.tzinfo is None:
            raise _Irregular
        seconds = value.timestamp()
    else:
        seconds = float(value)  # type: ignore[arg-type]
    if not 0.0 <= seconds <= LATEST_TIME:
        raise _Irregular
    return seconds


_new_image = tuple.__new__


def _typed(raw: bytes) -> list[Image]:
    """Images grouped by repository (in order of first appearance, file order within one): each repository's
    images are then built next to each other in memory, which the evaluation, walking a repository's images
    several times, feels (a third faster when a registry's images come interleaved)."""
    return _built(_DECODER.decode(raw).imageDetails)


def _built(details: list[_Detail]) -> list[Image]:
    """The images of decoded records (``details`` is emptied as they are built)."""
    groups: dict[str, list[_Detail]] = {}
    for d in details:
        group = groups.get(d.repositoryName)
        if group is None:
            groups[d.repositoryName] = [d]
        else:
            group.append(d)
    details.clear()
    images: list[Image] = []
    append = images.append
    for repository in list(groups):
        # Popped, so each repository's records are freed as soon as its images are built.
        group = groups.pop(repository)
        if not repository:
            raise _Irregular
        for d in group:
            status = _STATUS.get(d.imageStatus)
            size = d.imageSizeInBytes
            if status is None or not d.imageDigest or not 0 <= size <= MAX_IMAGE_SIZE:
                raise _Irregular
            pushed = d.imagePushedAt
            if type(pushed) is datetime and pushed.tzinfo is not None:
                pushed = pushed.timestamp()
                if not 0.0 <= pushed <= LATEST_TIME:
                    raise _Irregular
            else:
                pushed = _seconds(pushed)
            pulled, archived, activated, tags, children = (
                d.lastRecordedPullTime,
                d.lastArchivedAt,
                d.lastActivatedAt,
                d.imageTags,
                d.childImageDigests,
            )
            append(
                _new_image(
                    Image,
                    (
                        repository,  # one string per repository, not one per image
                        d.imageDigest,
                        tags or (),
                        pushed,
                        size,
                        status[0],
                        # Skip the call for None: many images were never pulled, most never archived or restored.
                        None if pulled is None else _seconds(pulled),
                        None if archived is None else _seconds(archived),
                        None if activated is None else _seconds(activated),
                        children or (),
                        status[1],
                    ),
                )
            )
    return images


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
    the decoded records together are the preview's peak memory, so only one piece's bytes are held, and the
    images are built once the bytes are gone."""
    images: list[Image] = []
    for path in inventory_files(paths):
        details = _typed_records(path)
        if details is not None:
            try:
                images.extend(_built(details))
                continue
            except NOT_TYPED:
                pass  # an irregular record: the checked path decides, on the file read again
        images.extend(_checked(_read(path), path))
    return images


Record = _Detail
# What makes the typed path give a file over to the checked path.
NOT_TYPED = (msgspec.DecodeError, _Irregular, OverflowError, ValueError, PieceChanged)
_PIECE_DECODER = msgspec.json.Decoder(list[_Detail])


def decode_piece(piece: Piece) -> list[Record]:
    """The records of one piece (``NOT_TYPED`` errors when the typed path does not take it)."""
    return _PIECE_DECODER.decode(read_piece(piece))


def build_images(records: list[Record]) -> list[Image]:
    """The images of typed records, grouped by repository (``records`` is emptied; ``NOT_TYPED`` errors)."""
    return _built(records)


def _typed_records(path: str) -> list[_Detail] | None:
    """The file's records by the typed path, a piece at a time when it cuts; None when the checked path
    is to decide (it reads the file again and phrases the error, if any)."""
    pieces = cut(path)
    if pieces is not None and pieces[-1].stop < MAX_INVENTORY_BYTES:
        try:
            details: list[_Detail] = []
            for piece in pieces:
                details += decode_piece(piece)
            return details
        except NOT_TYPED:
            pass  # a cut that was no boundary (inside a string, a key after the list): the whole file decides
    try:
        return _DECODER.decode(_read(path)).imageDetails
    except NOT_TYPED:
        return None
