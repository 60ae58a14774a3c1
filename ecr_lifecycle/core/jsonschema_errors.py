"""Run a JSON Schema over a located document and phrase each error as ``file:line: path: message``."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

from ecr_lifecycle.core.sourcefile import Document
from ecr_lifecycle.core.suggest import did_you_mean

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

# jsonschema itself (a tenth of a second to import) is imported where an error is phrased or a template's own
# schema is checked: commands that load no config and no template never pay for it.


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
        from jsonschema.exceptions import best_match

        # Name the most relevant branch's complaint rather than jsonschema's generic sentence.
        return str(best_match(error.context).message)
    if error.validator == "pattern":
        expected = schema.get("description") or error.validator_value
        return f"{json.dumps(error.instance)} does not have the expected form ({expected})"
    return error.message


def _fast_validator(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """A compiled validator for the common, valid case (fastjsonschema generates Python code for the schema:
    ~50x fewer steps than jsonschema's interpreter on a 10,000-entry config). None when it cannot compile one."""
    key = json.dumps(schema, sort_keys=True)
    if key not in _COMPILED:
        # Our schemas only refer inside themselves ("#/$defs/..."): without an $id and with every URL scheme
        # refused, the compiler can never reach for the network.
        draft7 = {k: v for k, v in schema.items() if k != "$id"} | {
            "$schema": "http://json-schema.org/draft-07/schema#"
        }
        try:
            _COMPILED[key] = fastjsonschema.compile(draft7, handlers=_NO_NETWORK, use_default=False)
        except Exception:  # any trouble compiling: jsonschema alone decides, as before
            _COMPILED[key] = None
    return _COMPILED[key]


def _refuse(uri: str) -> Any:
    raise ValueError(f"remote schema {uri} not fetched")


_NO_NETWORK = {"http": _refuse, "https": _refuse, "file": _refuse, "ftp": _refuse}


_COMPILED: dict[str, Callable[[Any], Any] | None] = {}


def is_valid(schema: dict[str, Any], value: Any) -> bool:
    """Whether ``value`` satisfies ``schema``; the fast validator's yes is final, its no is checked again."""
    fast = _fast_validator(schema)
    if fast is not None:
        try:
            fast(value)
            return True
        except (fastjsonschema.JsonSchemaValueException, RecursionError):
            pass
    import jsonschema

    return not any(True for _ in jsonschema.Draft202012Validator(schema).iter_errors(value))


def schema_errors(doc: Document, schema: dict[str, Any], *, prefix: tuple[str | int, ...] = ()) -> list[str]:
    """Every schema violation in ``doc`` (or the value at ``prefix``), located and sorted by line.

    Valid documents (nearly all of them) pass the compiled validator alone; only a failure pays for
    jsonschema, whose messages and paths name what is wrong."""
    node: Any = doc.data
    for step in prefix:
        node = node[step]
    if is_valid(schema, node):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for error in validator.iter_errors(node):
        path = list(prefix) + list(error.absolute_path)
        found.append((doc.line_of(path), doc.where(path) + ": " + _phrase(error)))
    return [message for _, message in sorted(found)]
