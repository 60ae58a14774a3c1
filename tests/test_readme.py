"""The README's commands work as written: runnable blocks run in a new, bare shell; every subcommand it
names exists."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
RUNNABLE = re.compile(r"<!-- runnable -->\n```(?:sh|bash)\n(.*?)```", re.S)


def test_runnable_blocks_work_in_a_new_shell(tmp_path: Path) -> None:
    blocks = RUNNABLE.findall(README)
    assert blocks, "no block is marked runnable"
    bare_path = ":".join(str(Path(p).parent) for p in (shutil.which("bash"), shutil.which("python3")) if p)
    for block in blocks:
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-c", block],
            cwd=ROOT,
            env={"HOME": str(tmp_path), "PATH": bare_path, "LANG": "C.UTF-8"},  # nothing from this session
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"{block}\n{proc.stdout}\n{proc.stderr}"
        for line in block.strip().splitlines()[1:]:
            assert line.startswith("python -m ecr_lifecycle"), "runnable blocks hold only our commands"
        assert proc.stdout.count("\n") >= len(block.strip().splitlines()) - 1


def test_every_subcommand_the_readme_names_exists() -> None:
    from ecr_lifecycle.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    named = set(re.findall(r"(?:python -m ecr_lifecycle|ecr-lifecycle) ([a-z][a-z-]+)", README))
    assert len(named) >= 10
    assert named <= set(sub.choices), named - set(sub.choices)
