"""Every benchmark, each printing its figures beside its baseline from the same run.

Run: pipenv run python -m benchmarks [--full]   (small sizes by default; --full for the fleet-scale ones)
"""

from __future__ import annotations

import argparse

from benchmarks import plan, preview, synth


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--full",
        action="store_true",
        help="fleet sizes (1,000,000 images; 10,000 entries; 10,000-repository plans)",
    )
    args = parser.parse_args()
    images, repositories, entries = (1_000_000, 10_000, 10_000) if args.full else (100_000, 1_000, 1_000)
    codes = []
    print("== preview")
    codes.append(preview.main(["--images", str(images), "--repositories", str(repositories)]))
    print("\n== synth")
    codes.append(synth.main(["--repositories", str(entries)]))
    print("\n== plan (against a local ECR endpoint)")
    codes.append(plan.main(["--sizes", "1000,5000,10000" if args.full else "200"]))
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())
