"""YAML and JSON documents that remember where each value came from (file and line).

Errors anywhere in the product name ``file:line: json.path: message``; this module
maps a JSON path back to the line of the value it points at.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


class _Loader(yaml.CSafeLoader):
    """SafeLoader that records lines and rejects duplicate keys (PyYAML silently keeps the last)."""

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data = _Map()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in data:
                raise yaml.MarkedYAMLError(
                    None, None, f"duplicate key {key!r} (first on line {data.key_lines[key]})", key_node.start_mark
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = value_node.start_mark.line + 1

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Any:
        data = _Seq()
        data.line = node.start_mark.line + 1
        data.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
# Timestamps stay strings: the config has no dates and JSON Schema knows no datetime type.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def _nesting_too_deep(text: str) -> int | None:
    """The line where flow brackets or block indentation first go deeper than ``MAX_NESTING``, if any.

    Checked before parsing: the C parser recurses per level and a deep enough file crashes it."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" -"))
        if indent > 2 * MAX_NESTING + 8:
            return number
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    return number
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


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
    try:
        data = yaml.load(text, Loader=_Loader)
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
    if _expanded_size(data) > MAX_EXPANDED_NODES:
        raise SourceError(
            [f"{path}:1: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values; write the values out"],
            unreadable=True,
        )
    return Document(path, data)


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
