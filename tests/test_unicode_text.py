"""Text as Terraform stores it: NFC-normalized, without a leading U+FEFF (issue 29 item 8).

Terraform normalizes every string it reads; a value we kept otherwise would deploy as something else, and
``drift`` would report a change forever while ``terraform plan`` is clean."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ecr_lifecycle.app.drift import detect_drift
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.sourcefile import SourceError, load_yaml

DECOMPOSED = "Cafe\u0301"  # e + combining acute accent
COMPOSED = "Caf\u00e9"

CONFIG = """\
version: 1
targets:
  - {name: local, region: eu-west-1, account_id: "111111111111"}
repositories:
  - name: team/app
    rules:
      - selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}
        action: {type: expire}
        description: %s
"""


def test_strings_and_keys_are_nfc_without_a_leading_bom_and_keep_their_lines() -> None:
    text = f'a: {DECOMPOSED}\nb: "Cafe\\u0301"\n"k{DECOMPOSED}": 1\nc:\n  - "\\ufeffx"\n  - y\\ufeffz\n'
    doc = load_yaml("f.yaml", text)
    assert doc.data == {"a": COMPOSED, "b": COMPOSED, f"k{COMPOSED}": 1, "c": ["x", "y\\ufeffz"]}
    assert [doc.line_of([key]) for key in doc.data] == [1, 2, 3, 5]  # a value's line
    assert doc.line_of(["c", 1]) == 6


def test_an_aliased_value_is_normalized_once_and_stays_shared() -> None:
    doc = load_yaml("f.yaml", f"a: &x [{DECOMPOSED}]\nb: *x\n")
    assert doc.data["a"] == [COMPOSED] and doc.data["a"] is doc.data["b"]


def test_keys_that_are_one_text_in_two_forms_are_duplicates() -> None:
    with pytest.raises(SourceError, match=r"f.yaml:2: duplicate key 'Café'"):
        load_yaml("f.yaml", f"{COMPOSED}: 1\n{DECOMPOSED}: 2\n")


@pytest.mark.parametrize("written", [DECOMPOSED, '"Cafe\\u0301"', '"\\ufeffCafe\\u0301"'])
def test_what_is_rendered_is_what_terraform_deploys_and_drift_agrees(tmp_path: Path, written: str) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "repositories.yaml").write_text(CONFIG % written, encoding="utf-8")
    fleet = load_fleet(str(tmp_path / "repositories.yaml"))
    entry = fleet.entry_for("local", "team/app")
    assert entry is not None
    assert json.loads(entry.composed.text)["rules"][0]["description"] == COMPOSED
    deployed = json.dumps(json.loads(entry.composed.text), ensure_ascii=False)  # what Terraform stored
    report = detect_drift(fleet, {"local": {"team/app": deployed}})
    assert not report.drifted(strict=True)


@pytest.mark.skipif(shutil.which("terraform") is None, reason="needs terraform on PATH")
def test_terraform_stores_strings_so(tmp_path: Path) -> None:
    """The rule we copy, checked against real Terraform: an output reads back as we normalize."""
    from ecr_lifecycle.core.sourcefile import _terraform_text

    values = {"a": DECOMPOSED, "b": "\ufeff\ufeffx", "c": "y\ufeffz", "d": "\ufeff" + DECOMPOSED}
    (tmp_path / "main.tf.json").write_text(
        json.dumps({"output": {k: {"value": v} for k, v in values.items()}}), encoding="utf-8"
    )
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "check": True}
    subprocess.run(["terraform", "init", "-input=false"], **run)  # type: ignore[call-overload]
    subprocess.run(["terraform", "apply", "-auto-approve", "-input=false"], **run)  # type: ignore[call-overload]
    shown = subprocess.run(["terraform", "output", "-json"], **run)  # type: ignore[call-overload]
    stored = {k: v["value"] for k, v in json.loads(shown.stdout).items()}
    assert stored["a"] == _terraform_text(values["a"]) == COMPOSED
    assert stored["c"] == _terraform_text(values["c"])
    # Terraform drops one leading U+FEFF; we drop them all, so what we emit has none to drop.
    assert stored["b"] == "\ufeffx" and _terraform_text(values["b"]) == "x"
    assert stored["d"] == _terraform_text(values["d"])
