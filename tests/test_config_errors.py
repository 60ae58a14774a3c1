"""Config and template errors: one located line each, non-zero exit, nothing synthesized."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.sourcefile import SourceError

ROOT = Path(__file__).resolve().parent.parent

HEAD = """\
version: 1
targets:
  - name: prod
    region: eu-west-1
repositories:
"""


def write_project(tmp: Path, repositories: str, templates: dict[str, str] | None = None) -> Path:
    shutil.copytree(ROOT / "policies", tmp / "policies")
    for name, body in (templates or {}).items():
        (tmp / "policies" / f"{name}.yaml").write_text(textwrap.dedent(body))
    config = tmp / "repositories.yaml"
    config.write_text(HEAD + textwrap.dedent(repositories))
    return config


CASES = {
    "unknown template": (
        """\
        - name: app/api
          templates: [keep-lots]
        """,
        "repositories.yaml:7: repositories[0].templates[0]: unknown template 'keep-lots'",
    ),
    "parameter below its minimum": (
        """\
        - name: app/api
          templates: [keep-last]
          params:
            keep: -1
        """,
        "repositories.yaml:9: repositories[0].params.keep: -1 is less than the minimum of 1 (template 'keep-last')",
    ),
    "wrong-typed parameter": (
        """\
        - name: app/api
          templates:
            - name: untagged-cleanup
              params: {days: seven}
        """,
        "repositories.yaml:9: repositories[0].templates[0].params.days: 'seven' is not of type 'integer'",
    ),
    "parameter no template takes": (
        """\
        - name: app/api
          templates: [keep-last]
          params: {keep: 5, dayz: 3}
        """,
        "repositories.yaml:8: repositories[0].params.dayz: no template of this entry takes parameter 'dayz'",
    ),
    "duplicate repository": (
        """\
        - name: app/api
        - name: app/api
          templates: [keep-last]
        """,
        "repositories.yaml:7: repositories[1].name: repository 'app/api' is already configured for target 'prod' "
        "at line 6",
    ),
    "bad glob": (
        """\
        - pattern: "App/[a-z]*"
          templates: [keep-last]
        """,
        "repositories.yaml:6: repositories[0].pattern: glob 'App/[a-z]*' has characters repository names never contain",
    ),
    "yaml syntax error": (
        """\
        - name: app/api
          templates: [keep-last
        """,
        "repositories.yaml:8: YAML syntax error",
    ),
    "duplicate yaml key": (
        """\
        - name: app/api
          templates: [keep-last]
          templates: [untagged-cleanup]
        """,
        "repositories.yaml:8: YAML syntax error: duplicate key 'templates' (first on line 7)",
    ),
    "schema violation": (
        """\
        - name: App/Api
          templates: [keep-last]
        """,
        'repositories.yaml:6: repositories[0].name: "App/Api" does not have the expected form',
    ),
    "priority clash between templates": (
        """\
        - name: app/api
          templates: [pinned-a, pinned-b]
        """,
        # Names the entry that combined the two templates, and where each template sets the number.
        "repositories.yaml:6: repositories[0]: app/api: rulePriority 5 is set twice: by template pinned-a (",
    ),
    "composed policy invalid": (
        """\
        - name: app/api
          templates: [untagged-cleanup, pinned-untagged]
        """,
        "repositories.yaml:6: repositories[0]: app/api: error E304",
    ),
    "did you mean a template": (
        """\
        - name: app/api
          templates: [keep-lsat]
        """,
        "unknown template 'keep-lsat' (did you mean 'keep-last'?)",
    ),
    "a parameter of the entry's templates, misspelt": (
        """\
        - name: app/api
          templates: [untagged-cleanup, keep-last]
          params: {dyas: 3}
        """,
        "no template of this entry takes parameter 'dyas' (did you mean 'days'?) (its templates take: days, keep)",
    ),
    "did you mean a target": (
        """\
        - name: app/api
          targets: [prdo]
          templates: [keep-last]
        """,
        "unknown target 'prdo' (did you mean 'prod'?) (defined: prod)",
    ),
    "did you mean a key": (
        """\
        - name: app/api
          templates: [keep-last]
          parms: {keep: 3}
        """,
        "unknown key(s) 'parms' (did you mean 'params'?)",
    ),
    "unknown target": (
        """\
        - name: app/api
          targets: [staging]
          templates: [keep-last]
        """,
        "repositories.yaml:7: repositories[0].targets[0]: unknown target 'staging' (defined: prod)",
    ),
}

EXTRA_TEMPLATES = {
    "pinned-a": """\
        description: pinned priority
        rules:
          - rulePriority: 5
            selection: {tagStatus: tagged, tagPrefixList: [a], countType: imageCountMoreThan, countNumber: 3}
            action: {type: expire}
        """,
    "pinned-b": """\
        description: pinned priority too
        rules:
          - rulePriority: 5
            selection: {tagStatus: tagged, tagPrefixList: [b], countType: imageCountMoreThan, countNumber: 3}
            action: {type: expire}
        """,
    "pinned-untagged": """\
        description: a second untagged rule
        rules:
          - selection: {tagStatus: untagged, countType: imageCountMoreThan, countNumber: 3}
            action: {type: expire}
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_error_is_located_and_nothing_is_synthesized(tmp_path: Path, case: str) -> None:
    body, expected = CASES[case]
    config = write_project(tmp_path, body, EXTRA_TEMPLATES)
    with pytest.raises(SourceError) as raised:
        load_fleet(str(config))
    assert any(expected in m for m in raised.value.messages), raised.value.messages

    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "prod").mkdir(parents=True)
    previous = outdir / "stacks" / "prod" / "cdk.tf.json"
    previous.write_text('{"previous": true}')
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(config), "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 1
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert previous.read_text() == '{"previous": true}'
    assert sorted(os.listdir(outdir)) == ["stacks"]


def test_template_errors_name_the_template_file(tmp_path: Path) -> None:
    config = write_project(
        tmp_path,
        "- name: app/api\n  templates: [broken]\n",
        {
            "broken": """\
            description: uses an undeclared parameter
            rules:
              - selection: {tagStatus: untagged, countType: imageCountMoreThan, countNumber: "${count}"}
                action: {type: expire}
            """,
        },
    )
    with pytest.raises(SourceError) as raised:
        load_fleet(str(config))
    assert any(
        "broken.yaml:3: rules[0]: placeholder ${count} is not a declared parameter" in m for m in raised.value.messages
    )


def test_missing_config_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", "validate", "--config", str(tmp_path / "no.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "config file not found" in proc.stderr


def test_a_placeholder_in_a_flow_mapping_explains_the_quoting(tmp_path: Path) -> None:
    config = write_project(tmp_path, "- name: app/api\n  templates: [flowy]\n", {"flowy": FLOWY})
    with pytest.raises(SourceError) as raised:
        load_fleet(str(config))
    assert any('must be quoted: "${param}"' in m and "flowy.yaml:" in m for m in raised.value.messages)


FLOWY = """\
description: a template with an unquoted placeholder in a flow mapping
parameters:
  days: {type: integer, default: 3, description: days}
rules:
  - selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: ${days}}
    action: {type: expire}
"""


@pytest.mark.slow
def test_the_fast_yaml_path_builds_what_the_general_path_builds() -> None:
    """Configs and templates are built from parser events; anything unusual goes the general way. Both give
    the same values, the same lines and the same errors."""
    import yaml as pyyaml
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ecr_lifecycle.core.sourcefile import _Loader, _Map, _Seq, load_yaml

    def general(text: str) -> object:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()

    def lines(value: object) -> object:
        if isinstance(value, _Map):
            return (value.line, dict(value.key_lines), {k: lines(v) for k, v in value.items()})
        if isinstance(value, _Seq):
            return (value.line, list(value.item_lines), [lines(v) for v in value])
        return value

    # Text as Terraform stores it (NFC, no leading U+FEFF): load_yaml normalizes other text on purpose, which
    # tests/test_unicode_text.py covers; here both paths must build the same thing as PyYAML.
    def stored(size: int) -> st.SearchStrategy[str]:
        return st.text(max_size=size).filter(lambda t: unicodedata.normalize("NFC", t) == t and t[:1] != "\ufeff")

    scalars = st.one_of(stored(8), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
    values = st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(stored(6), inner, max_size=4)
    )

    @settings(max_examples=300, deadline=None)
    @given(values, st.booleans())
    def agree(value: object, flow: bool) -> None:
        text = pyyaml.safe_dump(value, default_flow_style=flow)
        fast = load_yaml("x.yaml", text).data
        assert fast == general(text) == pyyaml.safe_load(text)
        assert lines(fast) == lines(general(text))

    agree()
    for text in (
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases
        "? [1, 2]\n: x\n",  # a sequence as a key
        "a: !!set {x, y}\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\na: 2\n",
        "yes: no\non: off\n'1': 2\n3: x\n",
        "",
    ):
        try:
            fast = load_yaml("x.yaml", text).data
        except SourceError as exc:
            with pytest.raises(pyyaml.YAMLError):
                general(text)
            assert "x.yaml:" in exc.messages[0]
            continue
        assert fast == general(text), text
