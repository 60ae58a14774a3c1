"""Names end where they end: a trailing newline is not "valid" (issue 29, item 7).

Python's ``$`` matches before a final ``\\n``, so a schema pattern ending in ``$`` accepted ``"prod\\n"``,
and synthesis then died with a traceback. Each case must be refused at load with one located line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.config.matching import GlobError, glob_to_regex
from ecr_lifecycle.core.preview.guards import BadReference, parse_reference
from ecr_lifecycle.core.sourcefile import SourceError

ROOT = Path(__file__).resolve().parent.parent

# JSON-quoted YAML scalars, so the newline is inside the value, as a careless generator would write it.
CASES = {
    "target name": ('{"name": "prod\\n", "region": "eu-west-1"}', '{"name": "app/api", "templates": ["keep-last"]}'),
    "account id": (
        '{"name": "prod", "region": "eu-west-1", "account_id": "111111111111\\n"}',
        '{"name": "app/api", "templates": ["keep-last"]}',
    ),
    "region": ('{"name": "prod", "region": "eu-west-1\\n"}', '{"name": "app/api", "templates": ["keep-last"]}'),
    "repository name": (
        '{"name": "prod", "region": "eu-west-1"}',
        '{"name": "team/app\\n", "templates": ["keep-last"]}',
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_trailing_newline_is_refused_with_a_located_line(tmp_path: Path, case: str) -> None:
    target, entry = CASES[case]
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "repositories.yaml"
    config.write_text(f"version: 1\ntargets:\n  - {target}\nrepositories:\n  - {entry}\n")
    with pytest.raises(SourceError) as caught:
        load_fleet(str(config))
    message = str(caught.value)
    assert f"{config}:" in message and "\n" not in message, message


def test_the_same_values_without_the_newline_load(tmp_path: Path) -> None:
    # The refusal above is about the newline, not the values.
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "repositories.yaml"
    config.write_text(
        'version: 1\ntargets:\n  - {"name": "prod", "region": "eu-west-1", "account_id": "111111111111"}\n'
        'repositories:\n  - {"name": "team/app", "templates": ["keep-last"]}\n'
    )
    load_fleet(str(config))


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


@pytest.mark.parametrize(
    "schema",
    ["ecr_lifecycle/core/config/schema/repositories.schema.json", "ecr_lifecycle/core/templates/template.schema.json"],
)
def test_schema_patterns_cannot_end_before_a_newline(schema: str) -> None:
    # A bare $ matches before a final newline in Python's re, which jsonschema uses (fastjsonschema rewrites $ to
    # \Z itself, so the two validators disagreed).
    patterns = _patterns(json.loads((ROOT / schema).read_text()))
    assert patterns, schema
    bare = [p for p in patterns if p.endswith("$")]
    assert not bare, f"{schema}: patterns end in a bare $: {bare}"


def test_a_glob_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(GlobError):
        glob_to_regex("team-a/*\n")


@pytest.mark.parametrize("text", ["app\n:v1", "team/app:v1\n@sha256:" + "a" * 64])
def test_an_in_use_reference_with_a_newline_inside_is_refused(text: str) -> None:
    # The reference as a whole is stripped; a newline before ':' or '@' reached the name and tag checks.
    with pytest.raises(BadReference):
        parse_reference(text, "in-use.txt:1")
