"""Synthesis at fleet scale: 10,000 repositories over 4 targets, 6 templates, 20 patterns.

Prints wall time, peak memory (largest process: Python or jsii's Node) and main.py's own
split (import, load+validate, construct, synth). Target: under 5 s and 400 MB on 2 cores.
Run: pipenv run python -m benchmarks.synth [--repositories N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.synthetic import fleet_config

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=4)
    parser.add_argument("--patterns", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "policies", project / "policies")
        config = project / "repositories.yaml"
        config.write_text(fleet_config(args.repositories, args.targets, args.patterns))
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "--outdir", str(project / "out")],
            capture_output=True,
            text=True,
            cwd=project,
            env={**os.environ, "ECR_LIFECYCLE_VERBOSE": "1"},  # the timing line
        )
        wall = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        size = sum(f.stat().st_size for f in (project / "out").rglob("cdk.tf.json"))
    print(f"fleet: {args.repositories} repositories, {args.targets} targets, {args.patterns} patterns, 6 templates")
    print(f"wall: {wall:.2f} s (target < 5 s); peak RSS of the largest process: {peak_mb:.0f} MB (target < 400 MB)")
    print(f"output: {size / 1e6:.1f} MB of cdk.tf.json")
    print(f"split: {proc.stderr.strip().splitlines()[-1]}")
    return 0 if wall < 5 and peak_mb < 400 else 2


if __name__ == "__main__":
    raise SystemExit(main())
