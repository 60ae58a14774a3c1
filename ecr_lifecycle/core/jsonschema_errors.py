"""Run a JSON Schema over a located document and phrase each error as ``file:line: path: message``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from ecr_lifecycle.core.sourcefile import Document
from ecr_lifecycle.core.suggest import did_you_mean


@cache
def packaged_schema(package: str, name: str) -> dict[str, Any]:
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _phrase(error: ValidationError) -> str:
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        hints = "".join(did_you_mean(str(key), allowed) for key in extra)
        return f"unknown key(s) {', '.join(map(repr, extra))}{hints}; allowed: {', '.join(allowed)}"
    if error.validator == "oneOf" and isinstance(error.instance, dict) and error.context:
        # Name the most relevant branch's complaint rather than jsonschema's generic sentence.
        return str(best_match(error.context).message)
    if error.validator == "pattern":
        expected = schema.get("description") or error.validator_value
        return f"{json.dumps(error.instance)} does not have the expected form ({expected})"
    return error.message


def schema_errors(doc: Document, schema: dict[str, Any], *, prefix: tuple[str | int, ...] = ()) -> list[str]:
    """Every schema violation in ``doc`` (or the value at ``prefix``), located and sorted by line."""
    node: Any = doc.data
    for step in prefix:
        node = node[step]
    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for error in validator.iter_errors(node):
        path = list(prefix) + list(error.absolute_path)
        found.append((doc.line_of(path), doc.where(path) + ": " + _phrase(error)))
    return [message for _, message in sorted(found)]
