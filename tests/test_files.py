"""The one writer of the user's files: the mode they had, the umask's mode for new ones, no temporary file left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecr_lifecycle.cli.errors import CliError
from ecr_lifecycle.cli.files import write_text


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    write_text(str(path), "new\r\n")
    assert path.read_bytes() == b"new\r\n" and path.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_umasks_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text(str(tmp_path / "in-use.json"), "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "in-use.json").stat().st_mode & 0o777 == 0o640


def test_a_failed_replace_leaves_the_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text("old\n")

    def failing(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(CliError, match=r"repositories.yaml: cannot write: No space left on device$") as caught:
        write_text(str(path), "new\n", expected="old\n")
    assert caught.value.code == 2
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["repositories.yaml"]
