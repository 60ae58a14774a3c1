"""Commands that read a registry fail whole, in one line, when it cannot be read completely."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.test_cli_validate import cli


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_import_from_an_unreadable_registry_writes_nothing(tmp_path: Path) -> None:
    env = {"AWS_MAX_ATTEMPTS": "2", "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}
    out = cli(
        "import",
        "--output",
        str(tmp_path / "out"),
        "--name",
        "prod",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        f"http://127.0.0.1:{closed_port()}",
        env=env,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: target prod: cannot list repositories:") and "nothing written" in out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()


def test_drift_against_an_unreadable_registry_is_an_error_not_a_report() -> None:
    env = {"AWS_MAX_ATTEMPTS": "2", "ECR_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}"}
    out = cli("drift", env=env)
    assert out.returncode == 1 and "cannot list repositories" in out.stderr and out.stdout == ""
