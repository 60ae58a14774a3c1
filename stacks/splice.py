"""Data from the config reaches ``cdk.tf.json`` without passing through the CDK engine.

The stacks hand cdktf a placeholder wherever a value comes from the config, templates or environment,
and ``Splicer.apply`` writes the values themselves into the synthesized files afterwards. Two reasons:

- **The engine reads strings as tokens.** cdktf resolves ``${TfToken[…]}``, ``#{TfToken[…]}`` and numbers
  such as ``-1.888154589708752e+289`` inside every string it is given. A rule description containing one
  made synthesis fail with a JavaScript traceback, or put another construct's value in its place.
  A placeholder is plain ``[a-z0-9-]`` text, and the value written in its place is only escaped for
  Terraform (``literal_text``), except in the backend block, which Terraform reads literally (``exact``).
- **Large literal maps cost more in the engine than everything else.** A target's ``policies`` and
  ``repositories`` locals hold thousands of strings. In the engine each map crossed to Node as one
  message, was copied into its sandbox and was walked for tokens three times during synthesis: about
  0.3 s of a 10,000-entry config's 1.8 s, all of it after the config's load. Written here, they cost
  ~0.04 s.

The values are written the way the engine writes the rest of the file (``json-stable-stringify`` with two
spaces: keys in UTF-16 code unit order, strings as ``JSON.stringify`` escapes them; an empty object or list
on two lines for cdktf 0.21, collapsed to ``{}`` and ``[]`` for CDK Terrain 0.24). The file is byte for
byte what the engine alone would write for data it reads as data; ``tests/test_splice.py`` compares the
two on both engines.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from typing import Any

from ecr_lifecycle.cli.files import replace_file

from .literal import literal_text

_SPACE = "  "
# How each engine writes an empty object or list (see the module's docstring).
COLLAPSES_EMPTY = {"cdktf": False, "cdktn": True}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ENCODE = json.encoder.encode_basestring


class SpliceError(Exception):
    """The engine's output is not in the form the placeholders were written for; nothing is written."""


class Splicer:
    """Placeholders for one synthesis, and the values to write in their place."""

    def __init__(self, *, collapse_empty: bool = False) -> None:
        """``collapse_empty``: the engine writes empty objects and lists as ``{}`` and ``[]``."""
        self._collapse_empty = collapse_empty
        # The nonce keeps a placeholder from ever equalling text that reached the engine some other way.
        self._prefix = f"ecr-lifecycle-data-{secrets.token_hex(8)}-"
        self._pattern = re.compile('"' + re.escape(self._prefix) + r'(\d+)"')
        self._values: list[Any] = []
        self._exact: set[int] = set()  # the placeholders of ``exact`` strings

    def whole(self, value: Any) -> str:
        """A placeholder for ``value`` (any JSON value: strings, numbers, booleans, null, lists, string-keyed
        objects), escaped for Terraform when written."""
        self._values.append(value)
        return f"{self._prefix}{len(self._values) - 1}"

    def exact(self, value: str) -> str:
        """A placeholder for a string written as it is, without Terraform's escapes: for backend blocks,
        which Terraform reads literally (``$${`` would reach the backend as ``$${``, not ``${``)."""
        self._exact.add(len(self._values))
        return self.whole(value)

    def strings(self, value: Any) -> Any:
        """``value`` with a placeholder for each string in it; mapping keys (our own names) stay."""
        if isinstance(value, str):
            return self.whole(value)
        if isinstance(value, Mapping):
            return {k: self.strings(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.strings(v) for v in value]
        return value

    def apply(self, outdir: str) -> None:
        """Write every value in place of its placeholder in the files under ``outdir``, each file replaced
        atomically; raise ``SpliceError`` if a placeholder is missing or turns up where it cannot be replaced."""
        found: set[int] = set()
        for folder, _dirs, files in os.walk(outdir):
            for name in sorted(files):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", newline="") as handle:
                    text = handle.read()
                if self._prefix not in text:
                    continue
                try:
                    spliced = self.splice_text(text, found)
                except SpliceError as exc:
                    raise SpliceError(f"{path}: {exc}") from None
                replace_file(path, spliced.encode("utf-8"))
        missing = len(self._values) - len(found)
        if missing:
            raise SpliceError(f"{missing} value(s) from the config did not reach the synthesized files")

    def splice_text(self, text: str, found: set[int] | None = None) -> str:
        """``text`` (JSON as cdktf writes it) with every placeholder replaced by its value; ``found`` gets the
        placeholders that were in it."""

        def value_at(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(self._values):
                raise SpliceError(f"unknown placeholder {match.group(0)}")
            if found is not None:
                found.add(index)
            if index in self._exact:
                return js_string(self._values[index])
            line_start = text.rfind("\n", 0, match.start()) + 1
            spaces = len(text) - line_start - len(text[line_start:].lstrip(" "))
            return stable_json(self._values[index], spaces // len(_SPACE), collapse_empty=self._collapse_empty)

        spliced = self._pattern.sub(value_at, text)
        if self._prefix in spliced:
            raise SpliceError("a placeholder for config data is not a whole JSON string")
        return spliced


def stable_json(value: Any, level: int = 0, *, collapse_empty: bool = False) -> str:
    """``value`` as ``json-stable-stringify(value, {space: 2, collapseEmpty})`` writes it at nesting ``level``,
    every string (keys included) escaped for Terraform first."""
    return _deeper(_escape_lone_surrogates(_stable(value, 0, collapse_empty)), level)


def _deeper(written: str, level: int) -> str:
    """A value written at level 0, as written ``level`` levels deeper: every line break in it is the layout's
    (strings hold theirs as ``\\n``), and each level indents the lines after it by two more spaces."""
    return written.replace("\n", "\n" + _SPACE * level) if level else written


def js_string(text: str) -> str:
    """``JSON.stringify(text)``: like Python's encoder without ASCII escaping, and lone surrogates escaped."""
    return _escape_lone_surrogates(_ENCODE(text))


def _stable(value: Any, level: int, collapse_empty: bool) -> str:
    # Lone surrogates are left for the caller to escape in the whole text at once (they only occur in strings).
    if isinstance(value, str):
        return _ENCODE(literal_text(value))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= 2**53:
            raise SpliceError(f"{value} does not survive as a JSON number in JavaScript")
        return str(value)
    indent = "\n" + _SPACE * level
    inner = indent + _SPACE
    if isinstance(value, Mapping):
        if not value and collapse_empty:
            return "{}"
        # ``literal_text`` maps different keys to different keys: nothing collides.
        keys = [literal_text(k) for k in value]
        if all(k.isascii() for k in keys):
            pairs = sorted(zip(keys, value.values(), strict=True))
        else:
            pairs = sorted(zip(keys, value.values(), strict=True), key=_utf16_key)
        # A target's maps of names and policy texts hold thousands of strings: those inline.
        body = ",".join(
            inner
            + _ENCODE(k)
            + ": "
            + (_ENCODE(literal_text(v)) if type(v) is str else _stable(v, level + 1, collapse_empty))
            for k, v in pairs
        )
        return "{" + body + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value and collapse_empty:
            return "[]"
        return "[" + ",".join(inner + _stable(v, level + 1, collapse_empty) for v in value) + indent + "]"
    raise SpliceError(f"cannot write a {type(value).__name__} as config data")


def _escape_lone_surrogates(encoded: str) -> str:
    # JSON.stringify writes a lone surrogate as \udxxx; Python's encoder (without ASCII escaping) leaves it.
    if _LONE_SURROGATE.search(encoded) is None:
        return encoded
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", encoded)


def _utf16_key(pair: tuple[str, Any]) -> bytes:
    # JavaScript sorts strings by UTF-16 code units, which differs from Python's code points beyond U+FFFF.
    return pair[0].encode("utf-16-be", "surrogatepass")
