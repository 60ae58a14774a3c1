"""Targets (one AWS account and region each): the one parser the config loader and ``import`` share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_lifecycle.core.config.model import Backend, Target
from ecr_lifecycle.core.jsonschema_errors import packaged_schema, schema_errors
from ecr_lifecycle.core.sourcefile import Document, SourceError, load_yaml, read_file

Path = list[str | int]


def target_schema() -> dict[str, Any]:
    """The config schema's ``targets`` list on its own (for files that only lend their targets)."""
    schema = packaged_schema("ecr_lifecycle.core.config.schema", "repositories.schema.json")
    return {
        "type": "object",
        "required": ["targets"],
        "properties": {"targets": schema["properties"]["targets"]},
        "$defs": schema["$defs"],
    }


def parse_targets(doc: Document, environ: Mapping[str, str] | None, errors: list[str]) -> list[Target]:
    """The (schema-valid) ``targets`` of ``doc``; problems go to ``errors``, located.

    ``environ`` fills ``${VAR}`` endpoint values, and a variable it lacks is an error. Without it
    (for commands that never reach AWS) such values are left as written."""
    out: list[Target] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(doc.data["targets"]):
        name = raw["name"]
        if name in seen:
            errors.append(
                f"{doc.where(['targets', i, 'name'])}: target {name!r} is already defined "
                f"at targets[{seen[name]}]; target names must be unique"
            )
            continue
        seen[name] = i
        backend = parse_backend(name, raw.get("backend"))
        endpoints = tuple(
            (service, _expand_env(doc, url, ["targets", i, "endpoints", service], environ, errors))
            for service, url in sorted((raw.get("endpoints") or {}).items())
        )
        shards, previous = raw.get("shards", 1), raw.get("previous_shards")
        if previous is not None and previous == shards:
            errors.append(
                f"{doc.where(['targets', i, 'previous_shards'])}: equals shards ({shards}); "
                "previous_shards is only for the change of the shard count: remove it"
            )
        out.append(
            Target(
                name,
                raw["region"],
                backend,
                raw.get("account_id"),
                raw.get("role_arn"),
                raw.get("profile"),
                endpoints,
                shards,
                previous,
                tuple(sorted((action, float(rate)) for action, rate in (raw.get("read_rates") or {}).items())),
            )
        )
    return out


def parse_backend(target: str, raw: Mapping[str, Any] | None) -> Backend:
    """A target's (schema-valid) ``backend``; without one, a local state file named after the target."""
    b = raw or {"type": "local"}
    return Backend(
        kind=b["type"],
        path=b.get("path", f"terraform.{target}.tfstate") if b["type"] == "local" else None,
        bucket=b.get("bucket"),
        key=b.get("key"),
        region=b.get("region"),
        encrypt=b.get("encrypt", True),
        use_lockfile=b.get("use_lockfile", True),
        role_arn=b.get("role_arn"),
    )


def _expand_env(doc: Document, value: str, path: Path, environ: Mapping[str, str] | None, errors: list[str]) -> str:
    if not value.startswith("${") or environ is None:
        return value
    variable = value[2:-1]
    if variable not in environ:
        errors.append(f"{doc.where(path)}: environment variable {variable} is not set")
        return value
    return environ[variable]


def load_targets(path: str, environ: Mapping[str, str] | None) -> tuple[Document, list[Target]]:
    """Only the ``targets`` of a config file, checked by the same schema and parser as a whole config."""
    doc = load_yaml(path, read_file(path, "config file"))
    if not isinstance(doc.data, dict):
        raise SourceError([f"{path}:1: expected a YAML mapping with a 'targets' list"])
    errors = schema_errors(doc, target_schema())
    if errors:
        raise SourceError(errors)
    parsed: list[str] = []
    targets = parse_targets(doc, environ, parsed)
    if parsed:
        raise SourceError(parsed)
    return doc, targets
