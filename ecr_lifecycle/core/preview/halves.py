"""A preview in two halves, for a second process to share: each side decodes part of the inventory's pieces,
the two swap the records of the repositories the other owns, and each evaluates its own repositories.

The core only says what each side does; running the sides (a forked process, a pipe) is the caller's
(``cli.forking.forked_pair``). Whatever goes wrong on either side (a record the typed path does not take,
a digest listed twice, a side that does not answer) ends in ``None``, and the caller previews in one
process, which phrases the error, if any. So the result never depends on the split: a test holds the two
to the same output, byte for byte.

Repositories are given to a side by their name's ``hash``: a forked process has the same hash seed, and an
inventory lists a repository's images anywhere (a side cannot know which repositories its pieces hold
before it has decoded them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar

import msgspec

from ecr_lifecycle.core.preview import pieces as _pieces
from ecr_lifecycle.core.preview.fleet import FleetPreview, PolicyLookup, Unmanaged, preview_fleet
from ecr_lifecycle.core.preview.inventory import (
    NOT_TYPED,
    Image,
    InventoryError,
    decode_piece,
    group_images,
    inventory_files,
)
from ecr_lifecycle.core.preview.pieces import Piece, cut
from ecr_lifecycle.core.preview.results import Detached, RepositoryPreview, Spilled

T = TypeVar("T")

# The second side's part, in percent of the bytes it decodes and of the repositories it evaluates: it also
# pickles what it found, this side merges both and writes the output.
SECOND_SIDE_PERCENT = 49


class Swap(Protocol):
    """Send this side's payload to the other side and return the other's (once per side)."""

    def __call__(self, payload: bytes) -> bytes | bytearray: ...


# Runs ``work(0, swap)`` here and ``work(1, swap)`` on the other side; None when the other side failed.
PairRunner = Callable[[Callable[[int, Swap], T]], "tuple[T, T] | None"]


@dataclass(frozen=True)
class Plan:
    """Which pieces each side decodes, under which target."""

    sides: tuple[tuple[tuple[str | None, Piece], ...], tuple[tuple[str | None, Piece], ...]]


def plan(paths: Sequence[tuple[str | None, str]], piece_bytes: int | None = None) -> Plan | None:
    """The pieces of every file (``paths``: target and file or folder), split between the sides by bytes;
    None unless every file cuts."""
    pieces: list[tuple[str | None, Piece]] = []
    for target, path_or_folder in paths:
        for path in inventory_files([path_or_folder]):
            cuts = cut(path, piece_bytes)
            if cuts is None:
                return None
            pieces += [(target, p) for p in cuts]
    total = sum(p.size for _, p in pieces)
    first: list[tuple[str | None, Piece]] = []
    done = 0
    for target, piece in pieces:
        if done + piece.size / 2 > total * (100 - SECOND_SIDE_PERCENT) / 100:
            break
        first.append((target, piece))
        done += piece.size
    if total < 2 * (piece_bytes or _pieces.PIECE_BYTES) or not first or len(first) == len(pieces):
        return None  # too small to be worth a second process
    return Plan((tuple(first), tuple(pieces[len(first) :])))


def side_of(repository: str) -> int:
    return 1 if hash(repository) % 100 < SECOND_SIDE_PERCENT else 0


# What the sides swap: whether this side decoded its pieces, and the other side's records by target.
_Swapped = tuple[bool, list[tuple[str | None, list[Image]]]]
_ENCODE = msgspec.msgpack.Encoder().encode
_DECODE = msgspec.msgpack.Decoder(_Swapped).decode


@dataclass(frozen=True)
class Half:
    """One side's repositories: as they are on this side; detached on the second side (they travel back
    pickled)."""

    repositories: tuple[RepositoryPreview, ...]
    # Detached, results aside: where they are in the second side's spill file (offset, length), if anywhere.
    detached: tuple[tuple[Detached, tuple[int, int] | None], ...]
    unmanaged: tuple[Unmanaged, ...]


def _travelling(preview: RepositoryPreview) -> tuple[Detached, tuple[int, int] | None]:
    detached = preview.detached()
    results = detached[5]
    if isinstance(results, Spilled):  # the file stays here; the other side has it open too
        return (*detached[:5], None), (results.offset, results.length)
    return detached, None


def _arrived(detached: Detached, at: tuple[int, int] | None, spill: BinaryIO | None) -> RepositoryPreview:
    if at is not None and spill is not None:
        detached = (*detached[:5], Spilled(spill, *at))
    return RepositoryPreview.attach(detached)


def _decoded(pieces: Sequence[tuple[str | None, Piece]], side: int) -> tuple[dict[str | None, list[Image]], ...]:
    """This side's pieces decoded, each record under the side that owns its repository."""
    out: tuple[dict[str | None, list[Image]], ...] = ({}, {})
    for target, piece in pieces:
        images = decode_piece(piece)
        mine, theirs = out[side].setdefault(target, []), out[1 - side].setdefault(target, [])
        keep, give = mine.append, theirs.append
        for image in images:
            if side_of(image.repository) == side:
                keep(image)
            else:
                give(image)
    return out


def work_side(
    side: int, swap: Swap, the_plan: Plan, lookup: PolicyLookup, now: float, spills: tuple[BinaryIO, BinaryIO] | None
) -> Half | None:
    """One side's work: decode, swap once, build, evaluate. Every side swaps exactly once, failed or not."""
    try:
        by_side = _decoded(the_plan.sides[side], side)
        decoded, payload = True, _ENCODE((True, list(by_side[1 - side].items())))
    except (*NOT_TYPED, msgspec.EncodeError):
        by_side, decoded, payload = ({}, {}), False, _ENCODE((False, []))
    by_side[1 - side].clear()  # those records now travel in the payload only
    mine = by_side[side]
    theirs_decoded, given = _DECODE(swap(payload))
    del payload
    if not (decoded and theirs_decoded):
        return None
    for target, records in given:
        mine.setdefault(target, []).extend(records)
    del given
    try:
        images = {target: group_images(decoded) for target, decoded in mine.items()}
        spill = None if spills is None else spills[side]
        result = preview_fleet(images, lookup, now, encode_results=spill is not None, detach=True, spill=spill)
        if spill is not None:
            spill.flush()
    except (*NOT_TYPED, InventoryError, OSError):  # OSError: writing the spill file (a full disk)
        return None
    if side == 0:
        return Half(result.repositories, (), result.unmanaged)
    return Half((), tuple(map(_travelling, result.repositories)), result.unmanaged)


def _spill_file() -> BinaryIO:
    return tempfile.TemporaryFile(prefix="ecr-lifecycle-results-")


def preview_in_halves(
    paths: Sequence[tuple[str | None, str]],
    lookup: PolicyLookup,
    now: float,
    pair: PairRunner[Half | None],
    encode_results: bool = False,
    piece_bytes: int | None = None,
) -> FleetPreview | None:
    """``preview_fleet`` of the files' images, shared by two sides; None when one process is to do it."""
    the_plan = plan(paths, piece_bytes)
    if the_plan is None:
        return None
    # Each side writes its results to a file of its own, opened here (so shared with the other process),
    # unnamed (gone with its last descriptor): the results of a million images (~170 MB) are read back
    # only as they are written out, a repository at a time.
    try:
        spills = (_spill_file(), _spill_file()) if encode_results else None
    except OSError:
        return None  # no temporary folder to write to: one process, holding its results
    halves = pair(lambda side, swap: work_side(side, swap, the_plan, lookup, now, spills))
    if halves is None:
        return None
    ours, theirs = halves
    if ours is None or theirs is None:
        return None
    spill = None if spills is None else spills[1]
    repositories = [*ours.repositories, *(_arrived(d, at, spill) for d, at in theirs.detached)]
    repositories.sort(key=lambda r: (r.target or "", r.repository))
    unmanaged = sorted(ours.unmanaged + theirs.unmanaged, key=lambda u: (u.target or "", u.repository))
    return FleetPreview(tuple(repositories), tuple(unmanaged))
