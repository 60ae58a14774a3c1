"""YAML and JSON documents that remember where each value came from (file and line).

Errors anywhere in the product name ``file:line: json.path: message``; this module
maps a JSON path back to the line of the value it points at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml


class SourceError(Exception):
    """One or more located problems in input files. ``messages`` are complete one-liners."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = tuple(messages)
        super().__init__("\n".join(self.messages))


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


def load_yaml(path: str, text: str) -> Document:
    """Parse YAML text; a syntax error becomes one ``SourceError`` line with file and line."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError([f"{path}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise SourceError([f"{path}:1: YAML syntax error: {exc}"]) from None
    return Document(path, data)


def read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise SourceError([f"{path}: {what} not found"]) from None
    except IsADirectoryError:
        raise SourceError([f"{path}: is a directory, expected a {what}"]) from None
    except UnicodeDecodeError as exc:
        raise SourceError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except OSError as exc:
        raise SourceError([f"{path}: cannot read {what}: {exc.strerror}"]) from None


def plain(value: Any) -> Any:
    """Strip line bookkeeping: plain dicts and lists, for hashing and rendering."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
