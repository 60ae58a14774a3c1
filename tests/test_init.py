"""``init``: writes a new config repository into a new or empty folder, in place, all files or none, and a
workflow whose pull-request filter names the config it wrote (issue 29, items 13 and 15)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.inprocess import invoke


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _pull_request(workflow: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    flow = yaml.safe_load(workflow.read_text())
    on = flow["on"] if "on" in flow else flow[True]  # YAML 1.1 reads a bare `on` key as true
    assert isinstance(on, dict)
    return dict(on["pull_request"]), dict(flow)


def test_init_writes_through_a_symlink_to_an_empty_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    inode = real.stat().st_ino
    result = invoke("init", str(link))
    assert result.code == 0, result.stderr
    assert link.is_symlink() and real.stat().st_ino == inode
    assert (real / "repositories.yaml").is_file() and (real / ".github/workflows/ecr-lifecycle.yml").is_file()
    assert not [n for n in os.listdir(real) if n.startswith(".ecr-lifecycle-init.")]  # no staging left


def test_init_dot_keeps_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    here.chmod(0o750)
    inode = here.stat().st_ino
    monkeypatch.chdir(here)
    result = invoke("init", ".")
    assert result.code == 0, result.stderr
    # The same folder, not a new one in its place: same inode, same mode.
    assert here.stat().st_ino == inode and (here.stat().st_mode & 0o777) == 0o750
    assert (here / "main.py").is_file()


@pytest.mark.parametrize("occupant", ["notes.txt", ".git"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, occupant: str) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    (target / occupant).write_text("mine\n")
    result = invoke("init", str(target))
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not an empty folder" in result.stderr
    assert _tree(target) == [occupant] and (target / occupant).read_text() == "mine\n"


@pytest.mark.parametrize("existing", [True, False])
def test_a_failed_init_leaves_nothing_and_keeps_a_folder_it_did_not_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "repo"
    if existing:
        target.mkdir()
    rename = os.rename
    calls: list[str] = []

    def fail_on_the_third(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        rename(src, dst)

    monkeypatch.setattr(os, "rename", fail_on_the_third)
    result = invoke("init", str(target))
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr
    if existing:
        assert target.is_dir() and _tree(target) == []
    else:
        assert not target.exists()


@pytest.mark.parametrize(
    ("config", "policies_dir", "folder"),
    [("conf/fleet.yaml", "own", "conf/own"), ("ecr.yml", "templates", "templates")],
)
def test_the_workflow_reviews_the_config_init_wrote(
    tmp_path: Path, config: str, policies_dir: str, folder: str
) -> None:
    target = tmp_path / "repo"
    result = invoke("init", str(target), "--config", config, "--policies-dir", policies_dir)
    assert result.code == 0, result.stderr
    pull_request, flow = _pull_request(target / ".github/workflows/ecr-lifecycle.yml")
    assert config in pull_request["paths"] and f"{folder}/**" in pull_request["paths"]
    assert not any(p in pull_request["paths"] for p in ("repositories.yaml", "policies/**", "ecr_lifecycle/**"))
    assert flow["env"]["ECR_LIFECYCLE_CONFIG"] == config  # every command of the workflow reads that config
    assert (target / folder / "README.md").is_file()
    valid = invoke("validate", "--config", str(target / config))
    assert valid.code == 0, valid.stdout + valid.stderr


def test_the_default_workflow_reviews_repositories_yaml_and_policies(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path / "repo")).code == 0
    pull_request, flow = _pull_request(tmp_path / "repo" / ".github/workflows/ecr-lifecycle.yml")
    assert {"repositories.yaml", "policies/**", "Pipfile.lock"} <= set(pull_request["paths"])
    assert flow["env"]["ECR_LIFECYCLE_CONFIG"] == "repositories.yaml"


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--config", "../fleet.yaml"),
        ("--config", "/etc/fleet.yaml"),
        ("--config", "fleet-*.yaml"),
        ("--config", "fleet.json"),
        ("--config", ".github/workflows/ecr-lifecycle.yml"),
        ("--policies-dir", "."),
        ("--policies-dir", "[own]"),
    ],
)
def test_init_refuses_a_layout_the_paths_filter_cannot_name(tmp_path: Path, flag: str, value: str) -> None:
    result = invoke("init", str(tmp_path / "repo"), flag, value)
    assert result.code == 2 and result.stderr.count("\n") == 1 and value in result.stderr
    assert not (tmp_path / "repo").exists()
