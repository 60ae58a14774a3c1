"""Every row of the exit-code table (docs/commands.md), on the config path and beside it (one test per row)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import policy, rule
from tests.inprocess import invoke

VALID = "version: 1\ntargets: [{name: t, region: us-east-1}]\n"


def _project(tmp: Path, config: str | bytes | None) -> Path:
    (tmp / "policies").mkdir(exist_ok=True)
    path = tmp / "repositories.yaml"
    if isinstance(config, bytes):
        path.write_bytes(config)
    elif config is not None:
        path.write_text(config)
    return path


def test_0_done(tmp_path: Path) -> None:
    assert invoke("validate", "--config", str(_project(tmp_path, VALID))).code == 0


@pytest.mark.parametrize(
    "config",
    [
        VALID.replace("us-east-1", "not a region"),  # schema
        VALID + "repositories: [{name: app/api, templates: [nope]}]\n",  # unknown template
        VALID + "repositories: [{name: app/api, rules: [{selection: {tagStatus: any}, action: {type: expire}}]}]\n",
    ],
)
def test_1_invalid_config_content(tmp_path: Path, config: str) -> None:
    out = invoke("validate", "--config", str(_project(tmp_path, config)))
    assert out.code == 1, out.stderr


def test_1_invalid_policy_and_template_content(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(policy(rule(1, "any"), rule(2, "any"))))
    assert invoke("validate", "--policy", str(bad)).code == 1
    config = _project(tmp_path, VALID + "repositories: [{name: app/api, templates: [t]}]\n")
    (tmp_path / "policies" / "t.yaml").write_text("description: d\nrules: 5\n")
    assert invoke("validate", "--config", str(config)).code == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (None, "config file not found"),  # missing
        ("version: 1\ntargets: [\n", "YAML syntax error"),  # not YAML
        (b"version: 1\ntargets: [{name: \xff}]\n", "not UTF-8"),  # not text
        ("", "is a directory"),  # a folder where the file should be (made below)
    ],
)
def test_2_unreadable_or_not_yaml_config(tmp_path: Path, config: str | bytes | None, message: str) -> None:
    path = _project(tmp_path, None if config == "" else config)
    if config == "":
        path.mkdir()
    out = invoke("validate", "--config", str(path))
    assert out.code == 2 and message in out.stderr and out.stderr.count("\n") == 1


def test_2_usage(tmp_path: Path) -> None:
    assert invoke("validate", "--no-such-flag").code == 2
    assert invoke("preview", "--images", "x", "--format", "yaml").code == 2
    (tmp_path / "p.json").write_text("{not json")
    assert invoke("validate", "--policy", str(tmp_path / "p.json")).code == 2


def test_3_a_guard_tripped(tmp_path: Path) -> None:
    images = [
        {"repositoryName": "a/b", "imageDigest": f"sha256:{n}", "imagePushedAt": 1767225600 + n} for n in range(3)
    ]
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp_path / "p.json").write_text(json.dumps(policy(rule(1, "any", count=1))))
    args = ["preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "p.json")]
    assert invoke(*args, "--max-expire-percent", "50").code == 3
    (tmp_path / "in-use.txt").write_text("a/b@sha256:0\n")
    assert invoke(*args, "--in-use", str(tmp_path / "in-use.txt")).code == 3
    assert invoke(*args).code == 0
