"""YAML and JSON documents that remember where each value came from (file and line).

Errors anywhere in the product name ``file:line: json.path: message``; this module
maps a JSON path back to the line of the value it points at.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml


class SourceError(Exception):
    """One or more located problems in input files. ``messages`` are complete one-liners.

    ``unreadable``: the file could not be read or is not YAML/JSON at all (a usage problem, exit 2),
    as opposed to content that was read and found wrong (exit 1)."""

    def __init__(self, messages: Iterable[str], *, unreadable: bool = False) -> None:
        self.messages = tuple(messages)
        self.unreadable = unreadable
        super().__init__("\n".join(self.messages))


# Bounds checked before and after parsing, so hostile files fail fast with one line.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NESTING = 100  # YAML/JSON levels; real configs use fewer than 10
MAX_EXPANDED_NODES = 1_000_000  # values after YAML aliases are expanded (alias bombs)


class _Map(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _Seq(list[Any]):
    line: int = 0
    item_lines: list[int]


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(yaml.CSafeLoader):
    """SafeLoader that records lines and rejects duplicate keys (PyYAML silently keeps the last).

    Built for 10,000-entry configs: one recursive walk over the node tree replaces PyYAML's generic
    constructor machinery for maps, sequences and strings (other scalars and tags still go through
    PyYAML's safe constructors), and implicit tag resolution is remembered per scalar text."""

    _resolved: ClassVar[dict[tuple[str, bool, bool], str]] = {}
    expanded = 0
    generic = False

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, implicit[0], implicit[1])
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._resolved) < 200_000:
                self._resolved[key] = tag
        return tag

    def construct_document(self, node: yaml.Node) -> Any:
        self._built: dict[int, Any] = {}
        self._sizes: dict[int, int] = {}  # a finished map or sequence: how many values it expands to
        self.expanded = 0  # values so far, aliased parts counted every time they appear
        self.generic = False  # a container went through PyYAML's constructors (counted afterwards instead)
        return self._build(node)

    def _build(self, node: yaml.Node) -> Any:
        self.expanded += 1
        tag = node.tag
        if tag == _STR and isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.ScalarNode) or tag not in (_MAP, _SEQ):
            self.generic = self.generic or not isinstance(node, yaml.ScalarNode)
            return self.construct_object(node, deep=True)  # ints, floats, booleans, nulls; !!set and friends
        built = self._built.get(id(node))
        if built is not None:  # an alias: the same object, counted again
            size = self._sizes.get(id(node))
            self.expanded += MAX_EXPANDED_NODES if size is None else size - 1  # unfinished: a cycle
            if self.expanded > MAX_EXPANDED_NODES:
                raise _TooLarge
            return built
        start = self.expanded
        if tag == _MAP:
            data = _Map()
            self._built[id(node)] = data
            data.line = node.start_mark.line + 1
            lines: dict[str, int] = {}
            data.key_lines = lines
            for key_node, value_node in node.value:
                key = self._build(key_node)
                self.expanded -= 1  # keys are not values
                if not isinstance(key, str):
                    key = str(key)
                if key in data:
                    raise yaml.MarkedYAMLError(
                        None, None, f"duplicate key {key!r} (first on line {lines[key]})", key_node.start_mark
                    )
                data[key] = self._build(value_node)
                lines[key] = value_node.start_mark.line + 1
            self._sizes[id(node)] = self.expanded - start + 1
            return data
        seq = _Seq()
        self._built[id(node)] = seq
        seq.line = node.start_mark.line + 1
        seq.item_lines = [child.start_mark.line + 1 for child in node.value]
        seq.extend([self._build(child) for child in node.value])
        self._sizes[id(node)] = self.expanded - start + 1
        return seq


class _TooLarge(Exception):
    pass


class _NeedsNodes(Exception):
    """The document uses anchors, aliases, tagged collections or collection keys: build it from nodes."""


def _from_events(loader: _Loader) -> Any:
    """The document built straight from the parser's events, for the common shape of configs and templates
    (plain maps, sequences and scalars, scalar keys); a third faster than composing nodes first. Anything
    else raises ``_NeedsNodes`` and the caller builds the document the general way."""
    resolve, next_event, construct = loader.resolve, loader.get_event, loader.construct_object
    resolved = loader._resolved.get  # resolve's memo, read here first: most scalars are in it
    scalar, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    stack: list[Any] = []  # open containers
    keys: list[Any] = []  # per open container: the pending key of a map (None between entries)
    root: Any = None
    while True:
        event: Any = next_event()
        kind = event.__class__
        if kind is scalar:
            if event.anchor is not None:
                raise _NeedsNodes
            tag = event.tag
            if tag is None or tag == "!":
                implicit = event.implicit
                tag = resolved((event.value, implicit[0], implicit[1])) or resolve(
                    yaml.ScalarNode, event.value, implicit
                )
            if tag == _STR:
                value: Any = event.value
            else:
                value = construct(yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))
        elif kind is map_start or kind is seq_start:
            if event.anchor is not None or event.tag not in (None, "!", _MAP if kind is map_start else _SEQ):
                raise _NeedsNodes
            if kind is map_start:
                value = _Map()
                value.key_lines = {}
            else:
                value = _Seq()
                value.item_lines = []
            value.line = event.start_mark.line + 1
        elif kind in ends:
            stack.pop()
            keys.pop()
            continue
        elif kind is yaml.AliasEvent:
            raise _NeedsNodes
        elif kind is yaml.StreamEndEvent:
            return root
        elif kind is yaml.DocumentStartEvent and root is not None:
            raise _NeedsNodes  # a second document: the general way says so in its own words
        else:
            continue  # stream start, document start and end
        line = event.start_mark.line + 1
        if not stack:
            root = value
        else:
            parent = stack[-1]
            if parent.__class__ is _Seq:
                parent.append(value)
                parent.item_lines.append(line)
            elif keys[-1] is None:
                if kind is not scalar:
                    raise _NeedsNodes  # a map or sequence as a key
                key = value if isinstance(value, str) else str(value)
                if key in parent:
                    raise yaml.MarkedYAMLError(
                        None, None, f"duplicate key {key!r} (first on line {parent.key_lines[key]})", event.start_mark
                    )
                keys[-1] = key
                continue
            else:
                parent[keys[-1]] = value
                parent.key_lines[keys[-1]] = line
                keys[-1] = None
        if kind is not scalar:
            stack.append(value)
            keys.append(None)


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """The cycle collector off while a large, acyclic structure is built.

    Parsing a 10,000-entry config creates about a million objects; the collector would walk the whole
    growing heap again and again (2-5x the parse time), and finds nothing: these structures hold no
    cycles (an alias cycle is refused by the expansion bound and freed by the collector afterwards)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything built meanwhile is still in the youngest generation: the first collection after
            # enabling would walk all of it (1.4 s after a 1,000,000-image preview). Freezing and unfreezing
            # moves it to the oldest generation in constant time, which is collected only when it has grown.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass(frozen=True)
class Document:
    """A parsed file: its data and where each value stands."""

    path: str
    data: Any

    def line_of(self, json_path: Iterable[str | int]) -> int:
        """The line of the deepest value along ``json_path`` that exists (1 if unknown)."""
        node: Any = self.data
        line = getattr(node, "line", 1)
        for step in json_path:
            if isinstance(node, _Map) and isinstance(step, str) and step in node:
                line = node.key_lines.get(step, line)
                node = node[step]
            elif isinstance(node, _Seq) and isinstance(step, int) and 0 <= step < len(node):
                line = node.item_lines[step]
                node = node[step]
            else:
                break
        return line

    def where(self, json_path: Iterable[str | int]) -> str:
        steps = list(json_path)
        return f"{self.path}:{self.line_of(steps)}: {format_path(steps)}"


def format_path(steps: Iterable[str | int]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


_BRACKET = re.compile(r"[\[\]{}]")
_DEEP_INDENT = re.compile(rf"^[ -]{{{2 * MAX_NESTING + 9},}}", re.M)


def _nesting_too_deep(text: str) -> int | None:
    """The line where flow brackets or block indentation first go deeper than ``MAX_NESTING``, if any.

    Checked before parsing: the C parser recurses per level and a deep enough file crashes it."""
    found: list[int] = []
    indent = _DEEP_INDENT.search(text)
    if indent:
        found.append(indent.start())
    if text.count("[") + text.count("{") > MAX_NESTING:
        depth = 0
        for match in _BRACKET.finditer(text):
            if match[0] in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    found.append(match.start())
                    break
            else:
                depth = max(0, depth - 1)
    return text.count("\n", 0, min(found)) + 1 if found else None


def _expanded_size(data: Any) -> int:
    """How many values ``data`` holds once shared (aliased) parts are counted every time they appear."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = MAX_EXPANDED_NODES + 1  # a cycle counts as too big
        items = node.values() if isinstance(node, dict) else node
        total = 1
        for item in items:
            total += size(item)
            if total > MAX_EXPANDED_NODES:
                break
        sizes[id(node)] = total
        return total

    return size(data)


def load_yaml(path: str, text: str) -> Document:
    """Parse YAML text; a syntax error becomes one ``SourceError`` line with file and line."""
    deep = _nesting_too_deep(text)
    if deep is not None:
        raise SourceError([f"{path}:{deep}: nested more than {MAX_NESTING} levels deep"], unreadable=True)
    loader = _Loader(text)
    try:
        with no_gc_pauses():
            try:
                data = _from_events(loader)
            except _NeedsNodes:
                loader.dispose()
                loader = _Loader(text)
                data = loader.get_single_data()
    except _TooLarge:
        data, loader.generic = None, True
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = ""
        if "${" in text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else False:
            hint = ' (a "${param}" placeholder inside {...} or [...] must be quoted: "${param}")'
        raise SourceError([f"{path}:{line}: YAML syntax error: {problem}{hint}"], unreadable=True) from None
    except yaml.YAMLError as exc:
        raise SourceError([f"{path}:1: YAML syntax error: {exc}"], unreadable=True) from None
    except RecursionError:
        raise SourceError([f"{path}:1: nested too deeply"], unreadable=True) from None
    finally:
        loader.dispose()
    if loader.generic and (data is None or _expanded_size(data) > MAX_EXPANDED_NODES):
        raise SourceError(
            [f"{path}:1: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values; write the values out"],
            unreadable=True,
        )
    if not text.isascii() or "\\" in text:  # only non-ASCII text or escapes can hold what Terraform changes
        data = _as_terraform_stores(data, path)
    return Document(path, data)


def _terraform_text(value: str) -> str:
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value).lstrip("\ufeff")


def _as_terraform_stores(data: Any, path: str) -> Any:
    """Every string and key as Terraform stores it: NFC-normalized, without a leading U+FEFF.

    Terraform normalizes every string it reads to NFC and drops a leading byte-order mark (checked with
    Terraform 1.x: an output ``"Cafe\u0301"`` reads back ``"Café"``). A value we rendered otherwise would
    deploy as something else and ``drift`` would report a change forever while ``terraform plan`` is clean;
    normalized on load, what we render, preview and compare is what is deployed. Maps and sequences are
    changed in place so their line marks stay, and an aliased one once."""
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    node[i] = _terraform_text(item)
                elif isinstance(item, (dict, list)):
                    walk(item)
            return
        for key, item in node.items():
            if isinstance(item, str):
                node[key] = _terraform_text(item)
            elif isinstance(item, (dict, list)):
                walk(item)
        if all(_terraform_text(k) == k for k in node if isinstance(k, str)):
            return
        lines: dict[str, int] = getattr(node, "key_lines", {})
        items = list(node.items())
        node.clear()
        for key, item in items:
            new = _terraform_text(key) if isinstance(key, str) else key
            if new in node:
                line = lines.get(key, getattr(node, "line", 1))
                raise SourceError([f"{path}:{line}: duplicate key {new!r} (the same text in another Unicode form)"])
            node[new] = item
            if new != key and key in lines:
                lines[new] = lines.pop(key)

    if isinstance(data, str):
        return _terraform_text(data)
    if isinstance(data, (dict, list)):
        walk(data)
    return data


def read_bytes(path: str, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them; FIFOs, devices and folders are refused
    without blocking (``/dev/zero`` symlinked as a template, a FIFO named ``*.yaml``)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SourceError([f"{path}: {what} not found"], unreadable=True) from None
    except IsADirectoryError:
        raise SourceError([f"{path}: is a directory, expected a {what}"], unreadable=True) from None
    except OSError as exc:
        raise SourceError([f"{path}: cannot read {what}: {exc.strerror}"], unreadable=True) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError([f"{path}: is a directory, expected a {what}"], unreadable=True)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError([f"{path}: not a regular file, expected a {what}"], unreadable=True)
        if info.st_size > limit:
            raise SourceError([f"{path}: {what} is larger than {limit // (1024 * 1024)} MiB"], unreadable=True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise SourceError([f"{path}: {what} is larger than {limit // (1024 * 1024)} MiB"], unreadable=True)
        return data
    except OSError as exc:
        raise SourceError([f"{path}: cannot read {what}: {exc.strerror}"], unreadable=True) from None
    finally:
        os.close(fd)


def decode_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})"], unreadable=True) from None


def read_file(path: str, what: str, limit: int = MAX_FILE_BYTES) -> str:
    return decode_utf8(read_bytes(path, what, limit), path)


def plain(value: Any) -> Any:
    """Strip line bookkeeping: plain dicts and lists, for hashing and rendering."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
