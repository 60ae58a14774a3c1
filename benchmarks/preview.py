"""Preview at fleet scale: the path users take, ``preview --format json`` (the AWS-shaped contract), and the
Markdown report, on 1,000,000 images over 10,000 repositories with the 5-rule policy of the issue
(``devtools.synthetic.fleet_inventory`` and ``FLEET_POLICY``).

Measured in one run, each in its own process (wall time and peak RSS), side by side with the baseline:
merely ``json.load`` of the same inventory file. Goal: at most 1.0x the json.load time, under 1 GB.
Run: pipenv run python -m benchmarks.preview [--images N] [--repositories N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.synthetic import FLEET_POLICY

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_795_000_000.0


GENERATE = """
import json, sys
sys.path.insert(0, {root!r})
from devtools.synthetic import fleet_inventory
from benchmarks.preview import NOW
with open("images.json", "w") as fh:
    json.dump(fleet_inventory({images}, {repositories}, NOW), fh)
"""

MEASURE = """
import json, resource, sys, time, runpy
start = time.perf_counter()
{body}
wall = time.perf_counter() - start
print(json.dumps({{"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}),
      file=sys.stderr)
"""


def measure(body: str, cwd: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", MEASURE.format(body=body)], cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        raise SystemExit(proc.stderr)
    result: dict[str, float] = json.loads(proc.stderr.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--repositories", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # In a child process: Linux keeps a process's peak RSS across fork and exec, so a parent that held the
        # inventory would lend its peak to every measurement.
        subprocess.run(
            [sys.executable, "-c", GENERATE.format(root=str(ROOT), images=args.images, repositories=args.repositories)],
            cwd=folder,
            check=True,
        )
        (folder / "policy.json").write_text(json.dumps(FLEET_POLICY))
        size = os.path.getsize(folder / "images.json")
        print(
            f"inventory: {args.images:,} images in {args.repositories:,} repositories, {size / 1e6:.0f} MB "
            f"(generated in {time.perf_counter() - started:.0f} s)"
        )
        load = measure("json.load(open('images.json'))", folder)
        results = {"json.load (baseline)": load}
        for fmt in ("json", "markdown"):
            argv_ = [
                "preview",
                "--images",
                "images.json",
                "--policy",
                "policy.json",
                "--now",
                str(NOW),
                "--format",
                fmt,
            ]
            body = (
                f"sys.argv = ['ecr_lifecycle'] + {argv_!r}\n"
                f"sys.path.insert(0, {str(ROOT)!r})\n"
                "import os\n"
                "sys.stdout = open(os.devnull, 'w')\n"
                "from ecr_lifecycle.cli.main import run\n"
                "run(sys.argv[1:])"
            )
            results[f"preview --format {fmt}"] = measure(body, folder)
    print(f"{'':28} {'wall':>8} {'x json.load':>12} {'peak':>9}")
    for name, r in results.items():
        print(f"{name:28} {r['wall']:7.2f}s {r['wall'] / load['wall']:11.2f}x {r['peak_mb']:7.0f}MB")
    contract = results["preview --format json"]
    print("goal: preview --format json <= 1.00x json.load and < 1024 MB peak")
    return 0 if contract["wall"] <= load["wall"] and contract["peak_mb"] < 1024 else 2


if __name__ == "__main__":
    raise SystemExit(main())
