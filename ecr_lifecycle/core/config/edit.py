"""Edits to a config file that keep its comments and layout: only the lines that must change change."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ecr_lifecycle.core.sourcefile import load_yaml

_BLOCK = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?adopt:\s*(?:true|True|TRUE|yes)\s*(?P<comment>#.*)?\Z")
_FLOW = re.compile(r"(,\s*adopt:\s*(?:true|True|TRUE|yes)\b|\badopt:\s*(?:true|True|TRUE|yes)\s*,\s*)")


class EditError(ValueError):
    pass


def remove_adopt_flags(path: str, text: str, indexes: Iterable[int]) -> str:
    """``text`` without ``adopt: true`` in the ``repositories`` entries at ``indexes``."""
    doc = load_yaml(path, text)
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for index in sorted(set(indexes)):
        entry = doc.data["repositories"][index]
        line = entry.key_lines.get("adopt")
        if line is None:
            continue
        current = lines[line - 1]
        body = current.splitlines()[0]
        block = _BLOCK.match(body)
        if block and not block["dash"]:
            if block["comment"]:
                # The comment is the user's note, not part of the flag: it stays, alone on its line, where it was
                # (and with the line's own ending, so a CRLF file stays CRLF).
                lines[line - 1] = block["indent"] + block["comment"] + current[len(body) :]
            else:
                drop.add(line - 1)
        elif _FLOW.search(current):
            lines[line - 1] = _FLOW.sub("", current, count=1)
        else:
            raise EditError(f"{path}:{line}: cannot remove 'adopt: true' from this line; remove it by hand")
    out = "".join(line for i, line in enumerate(lines) if i not in drop)
    check = load_yaml(path, out).data
    for index in indexes:
        if check["repositories"][index].get("adopt"):
            raise EditError(f"{path}: 'adopt: true' of repositories[{index}] is still there; remove it by hand")
    return out
