"""The benchmarks run and print their figures beside their baselines (tiny sizes: the figures themselves are
measured with ``python -m benchmarks --full``, never asserted in tests). The preview benchmark has no test
here: at a size a test can afford, start-up is most of its time and its ratio says nothing of the goal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from benchmarks import synth, treerss

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier


def test_the_synth_benchmark_prints_ours_beside_the_per_construct_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = synth.main(["--repositories", "40", "--targets", "2", "--patterns", "2"])
    out = capsys.readouterr().out
    assert code in (0, 2)
    assert re.search(r"^main\.py \(ours\) +[\d.]+s +\d+MB$", out, re.M)
    assert re.search(r"^baseline: a construct per repo +[\d.]+s +\d+MB$", out, re.M)
    assert re.search(r"ours is [\d.]+x faster than the baseline", out)
    rounds = re.search(r"^rounds \(ours/baseline, ratio\): (.*)$", out, re.M)
    assert rounds is not None and len(rounds[1].split(", ")) == 5  # the default rounds, each pair shown


@pytest.mark.skipif(not treerss.available(), reason="needs /proc with task children (Linux)")
def test_the_memory_of_a_command_and_its_forked_copy_is_counted_together() -> None:
    # Each process fills 150 MB of its own; ru_maxrss would report one of them, the tree both.
    script = (
        "import os, time\n"
        "pid = os.fork()\n"
        "block = bytearray(150 * 1024 * 1024)\n"
        "for i in range(0, len(block), 4096): block[i] = 1\n"
        "time.sleep(1.0)\n"
        "if pid: os.waitpid(pid, 0)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    tree = treerss.TreePeak(proc.pid)
    proc.wait()
    assert proc.returncode == 0
    assert tree.stop() > 280
