"""An inventory file cut into pieces that decode on their own.

A 1,000,000-image inventory is ~400 MB of JSON. Read whole, its bytes and its decoded records are in memory
together; read a piece at a time, only one piece's bytes are. Pieces also let two processes share the
decoding (``halves``).

Only a file that is plainly ``{"imageDetails": [ ... ]}`` is cut (``aws ecr describe-images`` prints that);
anything else is read whole. A cut is made at a comma between two records (``}, {``), found by looking at
the bytes around the cut's offset, without reading the file before it. The comma becomes ``]`` for the
piece before and ``[`` for the piece after, so each piece is a JSON array of its own. Why a wrong cut cannot
go unnoticed: a piece is a JSON array only if its cut lies outside every string (a cut inside a string
leaves the string open) and between the array's own elements (a cut deeper down leaves a bracket open);
the first piece starts at the real array, so by induction every piece is what it claims, or a decoder
refuses it and the caller reads the file whole, with its exact messages.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from itertools import pairwise

# About the size of a piece: its bytes are the only part of the file in memory at a time.
PIECE_BYTES = 32 * 1024**2
# How far past a cut's offset the next comma between two records is looked for (a record is ~400 bytes).
WINDOW = 1 << 16

_JSON_SPACE = rb"[ \t\r\n]*"
_HEAD = re.compile(_JSON_SPACE + rb"\{" + _JSON_SPACE + rb'"imageDetails"' + _JSON_SPACE + rb":" + _JSON_SPACE + rb"\[")
_TAIL = re.compile(rb"\]" + _JSON_SPACE + rb"\}" + _JSON_SPACE + rb"\Z")
_BETWEEN = re.compile(rb"\}" + _JSON_SPACE + rb"," + _JSON_SPACE + rb"\{")
_OPEN, _CLOSE = ord("["), ord("]")


@dataclass(frozen=True)
class Piece:
    """Bytes ``start`` to ``stop`` (both included) of an inventory: from the ``[`` or ``,`` before its first
    record to the ``,`` or ``]`` after its last."""

    path: str
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start + 1


def cut(path: str, piece_bytes: int | None = None) -> list[Piece] | None:
    """The file's records in pieces of about ``piece_bytes`` (default ``PIECE_BYTES``), or None when the file
    is to be read whole (not a regular file, not plainly ``{"imageDetails": [...]}``, a record longer than
    ``WINDOW``)."""
    piece_bytes = piece_bytes or PIECE_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        size = info.st_size
        head = _HEAD.match(os.pread(fd, 4096, 0))
        tail_at = max(0, size - 4096)
        tail = _TAIL.search(os.pread(fd, size - tail_at, tail_at))
        if head is None or tail is None:
            return None
        start, stop = head.end() - 1, tail_at + tail.start()
        if stop <= start:
            return None
        cuts = [start]
        at = start + piece_bytes
        # The last piece takes the rest when less than half a piece would follow it.
        while at < stop - piece_bytes // 2:
            window = os.pread(fd, WINDOW, at)
            between = _BETWEEN.search(window)
            if between is None:
                return None
            comma = at + window.index(b",", between.start())
            if comma >= stop:
                break
            cuts.append(comma)
            at = comma + piece_bytes
        cuts.append(stop)
    except OSError:
        return None
    finally:
        os.close(fd)
    return [Piece(path, a, b) for a, b in pairwise(cuts)]


class PieceChanged(Exception):
    """The file no longer has the bytes the piece was cut from."""


def read_piece(piece: Piece) -> bytearray:
    """The piece as a JSON array of records (its first and last byte replaced by ``[`` and ``]``)."""
    data = bytearray(piece.size)
    try:
        with open(piece.path, "rb", buffering=0) as fh:
            fh.seek(piece.start)
            got = fh.readinto(data)
    except OSError:
        raise PieceChanged from None
    if got != piece.size:
        raise PieceChanged
    data[0], data[-1] = _OPEN, _CLOSE
    return data
