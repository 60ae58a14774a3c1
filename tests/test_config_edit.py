"""Removing ``adopt: true`` keeps every other byte of the config: comments, order, flow and block style."""

from __future__ import annotations

import pytest

from ecr_lifecycle.core.config.edit import remove_adopt_flags
from ecr_lifecycle.core.sourcefile import load_yaml

CONFIG = """\
# the fleet
version: 1
targets: [{name: t, region: us-east-1}]
repositories:
  - name: svc/a   # first
    adopt: true   # imported on 2026-11-01
    templates: [keep-last]
  - {name: svc/b, adopt: true, templates: [keep-last]}
  - name: svc/c
    templates: [keep-last]
    adopt: true
"""


def test_block_and_flow_flags_go_and_nothing_else_moves() -> None:
    out = remove_adopt_flags("c.yaml", CONFIG, [0, 1, 2])
    assert out == CONFIG.replace(
        "    adopt: true   # imported on 2026-11-01\n", "    # imported on 2026-11-01\n"
    ).replace(", adopt: true", "").replace("    adopt: true\n", "")
    data = load_yaml("c.yaml", out).data
    assert [r.get("adopt") for r in data["repositories"]] == [None, None, None]
    assert out.startswith("# the fleet\n") and "# first" in out


def test_only_the_named_entries_change() -> None:
    out = remove_adopt_flags("c.yaml", CONFIG, [1])
    assert [r.get("adopt") for r in load_yaml("c.yaml", out).data["repositories"]] == [True, None, True]


def test_an_unusual_line_is_refused_rather_than_guessed() -> None:
    odd = "version: 1\ntargets: [{name: t, region: us-east-1}]\nrepositories:\n  - name: a\n    adopt:\n      true\n"
    with pytest.raises(ValueError, match="remove it by hand"):
        remove_adopt_flags("c.yaml", odd, [0])


def test_a_comment_on_the_flag_line_stays_where_it_was() -> None:
    text = CONFIG.replace("adopt: true   # imported on 2026-11-01", "adopt: true  # until imported")
    out = remove_adopt_flags("c.yaml", text, [0])
    assert "    # until imported\n    templates: [keep-last]\n" in out
    assert out == text.replace("    adopt: true  # until imported\n", "    # until imported\n")


def test_a_crlf_file_stays_crlf() -> None:
    text = CONFIG.replace("\n", "\r\n")
    out = remove_adopt_flags("c.yaml", text, [0, 2])
    assert out == text.replace(
        "    adopt: true   # imported on 2026-11-01\r\n", "    # imported on 2026-11-01\r\n"
    ).replace("    adopt: true\r\n", "")
    assert out.count("\n") == out.count("\r\n")
