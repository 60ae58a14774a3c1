"""The README's commands work as written: runnable blocks run in a new, bare shell; every subcommand it or
docs/ names exists. The README stays a short guide (the reference lives in docs/), and every relative link
in it and in docs/ leads to a file and heading that exist."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = sorted((ROOT / "docs").glob("*.md"))
RUNNABLE = re.compile(r"<!-- runnable -->\n```(?:sh|bash)\n(.*?)```", re.S)
FENCED = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#+ (.+)$", re.M)


@pytest.mark.slow
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
    named_anywhere: set[str] = set()
    for page in [ROOT / "README.md", *DOCS]:
        named = set(re.findall(r"(?:python -m ecr_lifecycle|ecr-lifecycle) ([a-z][a-z-]+)", page.read_text()))
        assert named <= set(sub.choices), (page.name, named - set(sub.choices))
        named_anywhere |= named
    assert len(named_anywhere) >= 10  # the pattern still finds the commands


def test_readme_is_a_short_guide() -> None:
    # A newcomer reads it whole; reference text belongs in docs/ (issue 28 item 7).
    size = len(README.encode())
    assert size < 10_000, f"README.md is {size} bytes: move reference text into docs/"


def _anchors(markdown: str) -> set[str]:
    """The ids GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    return {
        re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        for title in HEADING.findall(FENCED.sub("", markdown))
    }


def test_every_relative_link_resolves() -> None:
    pages = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *DOCS]
    broken = []
    for page in pages:
        for target in LINK.findall(FENCED.sub("", page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue  # a web address: not ours to check offline
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text()):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
