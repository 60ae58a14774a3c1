"""``python -m ecr_lifecycle validate``: exit codes, formats, stdin, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import policy, rule

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(policy(rule(1, "tagged", prefixes=["a", "b"]), rule(2, "any"))))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(policy(rule(1, "any", "sinceImagePulled", 30), rule(2, "tagged"))))
    broken = tmp_path / "broken.json"
    broken.write_text('{"rules": [')
    return good, bad, broken


def test_valid_policy_exits_0_and_prints_warnings(files: tuple[Path, Path, Path]) -> None:
    good, _, _ = files
    out = cli("validate", "--policy", str(good))
    assert out.returncode == 0
    assert "W001" in out.stdout and "valid (1 warning(s))" in out.stdout


def test_invalid_policy_exits_1_with_every_error(files: tuple[Path, Path, Path]) -> None:
    _, bad, _ = files
    out = cli("validate", "--policy", str(bad))
    assert out.returncode == 1
    for code in ("E210", "E302", "E205"):
        assert code in out.stderr
    assert "Traceback" not in out.stderr


def test_json_format_lists_findings(files: tuple[Path, Path, Path]) -> None:
    _, bad, _ = files
    out = cli("validate", "--policy", str(bad), "--format", "json")
    doc = json.loads(out.stdout)
    assert out.returncode == 1 and doc["valid"] is False
    assert {"code", "severity", "path", "rule", "message"} == set(doc["findings"][0])


def test_stdin_is_read_with_dash(files: tuple[Path, Path, Path]) -> None:
    good, _, _ = files
    out = cli("validate", "--policy", "-", stdin=good.read_text())
    assert out.returncode == 0 and out.stdout.startswith("<stdin>")


@pytest.mark.parametrize("case", ["non-json", "missing", "directory", "bad-flag", "bad-format"])
def test_usage_errors_exit_2_with_one_line(files: tuple[Path, Path, Path], tmp_path: Path, case: str) -> None:
    _, _, broken = files
    args = {
        "non-json": ["validate", "--policy", str(broken)],
        "missing": ["validate", "--policy", str(tmp_path / "nope.json")],
        "directory": ["validate", "--policy", str(tmp_path)],
        "bad-flag": ["validate", "--polcy", "x"],
        "bad-format": ["validate", "--policy", str(broken), "--format", "yaml"],
    }[case]
    out = cli(*args)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_config_validation_uses_the_config_file() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ECR_ENDPOINT_URL"}  # validate never reaches AWS
    out = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", "validate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "repositories.yaml: valid: 1 target(s)" in out.stdout


def test_every_subcommand_explains_itself_with_exit_codes_and_an_example() -> None:
    from ecr_lifecycle.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    assert sorted(sub.choices) == [
        "completion", "diff", "drift", "import", "in-use", "init", "plan", "preview", "prune-adopt", "render",
        "stacks", "synth", "validate",
    ]  # fmt: skip
    for name, command in sub.choices.items():
        text = command.format_help()
        assert command.description and len(command.description) > 80, name
        assert "exit codes:" in text, name
        assert any(f"example:\n  {prog} {name}" in text for prog in ("python -m ecr_lifecycle", "ecr-lifecycle")), name
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help text"
