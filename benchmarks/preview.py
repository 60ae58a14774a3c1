"""Preview at fleet scale: 1,000,000 images over 10,000 repositories with a 5-rule policy.

Measured in one run, each in its own process (wall time and peak RSS): merely ``json.load``
of the inventory file, and the whole ``preview`` command on it. Target: preview at most
2x the json.load time, under 2 GB.
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

from devtools.synthetic import inventory

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_795_000_000.0
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "untagged after 7 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "keep 20 releases",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["v*.*.*"],
                "countType": "imageCountMoreThan",
                "countNumber": 20,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 3,
            "description": "feature branches after 14 days",
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["feature-"],
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 4,
            "description": "main builds: keep 30",
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["main-"],
                "countType": "imageCountMoreThan",
                "countNumber": 30,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 5,
            "description": "everything else: keep 50",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
            "action": {"type": "expire"},
        },
    ]
}

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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--repositories", type=int, default=10_000)
    args = parser.parse_args()
    per_repo = args.images // args.repositories
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        doc = inventory({f"team-{r % 50}/service-{r:05d}": per_repo for r in range(args.repositories)}, NOW)
        (folder / "images.json").write_text(json.dumps(doc))
        del doc
        (folder / "policy.json").write_text(json.dumps(POLICY))
        size = os.path.getsize(folder / "images.json")
        print(
            f"inventory: {args.images:,} images in {args.repositories:,} repositories, {size / 1e6:.0f} MB "
            f"(generated in {time.perf_counter() - started:.0f} s)"
        )
        load = measure("json.load(open('images.json'))", folder)
        argv = [
            "preview",
            "--images",
            "images.json",
            "--policy",
            "policy.json",
            "--now",
            str(NOW),
            "--format",
            "markdown",
        ]
        body = (
            f"sys.argv = ['ecr_lifecycle'] + {argv!r}\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "import contextlib, io\n"
            "from ecr_lifecycle.cli.main import run\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    run(sys.argv[1:])"
        )
        full = measure(body, folder)
    ratio = full["wall"] / load["wall"]
    print(f"json.load only: {load['wall']:.2f} s, peak {load['peak_mb']:.0f} MB")
    print(f"preview:        {full['wall']:.2f} s, peak {full['peak_mb']:.0f} MB")
    print(f"ratio preview / json.load: {ratio:.2f} (target <= 2.00); peak memory target < 2048 MB")
    return 0 if ratio <= 2 and full["peak_mb"] < 2048 else 2


if __name__ == "__main__":
    raise SystemExit(main())
