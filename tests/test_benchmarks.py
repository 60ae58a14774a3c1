"""The benchmarks run and print their figures beside their baselines (tiny sizes: the figures themselves are
measured with ``python -m benchmarks --full``, never asserted in tests)."""

from __future__ import annotations

import re

import pytest

from benchmarks import preview, synth


def test_the_preview_benchmark_prints_each_command_beside_json_load(capsys: pytest.CaptureFixture[str]) -> None:
    code = preview.main(["--images", "3000", "--repositories", "30", "--repeat", "1"])
    out = capsys.readouterr().out
    assert code in (0, 2)
    rows = {m[1].strip(): float(m[3]) for m in re.finditer(r"^(.{28}) +([\d.]+)s +([\d.]+)x +\d+MB", out, re.M)}
    assert set(rows) == {
        "json.load (baseline)",
        "preview --format json",
        "preview --format markdown",
        "preview json + the config",
    }
    assert rows["json.load (baseline)"] == 1.0
    assert "3,000 images in 30 repositories" in out


def test_the_synth_benchmark_prints_ours_beside_the_per_construct_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = synth.main(["--repositories", "40", "--targets", "2", "--patterns", "2"])
    out = capsys.readouterr().out
    assert code in (0, 2)
    assert re.search(r"^main\.py \(ours\) +[\d.]+s +\d+MB$", out, re.M)
    assert re.search(r"^baseline: a construct per repo +[\d.]+s +\d+MB$", out, re.M)
    assert re.search(r"ours is [\d.]+x faster than the baseline", out)
