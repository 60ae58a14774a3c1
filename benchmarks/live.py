"""Live reads with the network's cost in them: ``preview --live``, ``drift``, ``in-use`` (ECS services and
Lambda aliases) and ``import`` against N repositories x M images on the local endpoint, through a loopback
proxy (``devtools/slow_proxy.py``) that adds a fixed latency per request and allows each API action a fixed
request rate (ECR's throttling error beyond it).

Each command is reported against its floor, computed from the calls it made (the proxy counts them, throttled
ones apart): max(calls / allowed rate, calls x latency / concurrency). Measured as users run it, a whole
process (start-up to exit, peak RSS of all its processes); fastest and median of the rounds; and whether its
output equals the sequential read (``--concurrency 1`` straight from the endpoint, no proxy).
Goal: within 1.25x of the floor, under 1 GB, identical output.
Run: pipenv run python -m benchmarks.live [--repositories N] [--images M] [--full]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.preview import ROOT, measure
from devtools.live_fleet import populate, write_config
from devtools.local_ecr import local_ecr
from devtools.slow_proxy import slow_proxy

NOW = "2026-12-01T00:00:00Z"


def commands(config: Path, out: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "ecr_lifecycle"]
    return {
        "preview --live": [*cli, "preview", "--config", str(config), "--live", "--now", NOW, "--format", "json"],
        "drift": [*cli, "drift", "--config", str(config), "--format", "json"],
        "in-use --live": [*cli, "in-use", "--config", str(config), "--format", "json"],
        "import": [*cli, "import", "--targets-from", str(config), "--output", str(out), "--force"],
    }


def output(name: str, stdout: Path, imported: Path, url: str) -> bytes:
    """What the command produced: its stdout, or for ``import`` the config it wrote (which names the endpoint)."""
    if name == "import":
        return (imported / "repositories.yaml").read_bytes().replace(url.encode(), b"URL")
    return stdout.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=40)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--workloads", type=int, help="ECS services and Lambda functions (default: repositories/10)")
    parser.add_argument("--full", action="store_true", help="10,000 repositories x 20 images")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to each request")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second the proxy allows an action")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the fastest and the median are reported")
    args = parser.parse_args(argv)
    if args.full:
        args.repositories, args.images = 10_000, 20
    workloads = args.workloads if args.workloads is not None else max(1, args.repositories // 10)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, local_ecr() as endpoint:
        folder = Path(tmp)
        started = time.perf_counter()
        populate(endpoint, args.repositories, args.images, workloads)
        print(
            f"fleet: {args.repositories:,} repositories x {args.images} images, {workloads} ECS services and "
            f"Lambda aliases (populated in {time.perf_counter() - started:.0f} s); {args.latency * 1000:.0f} ms a "
            f"request, {args.rate:.0f} requests/s per action, concurrency {args.concurrency}"
        )
        # The sequential read: one request at a time, straight from the endpoint.
        direct = write_config(folder / "direct", endpoint)
        expected = {}
        for name, command in commands(direct, folder / "direct" / "imported").items():
            sink = folder / "direct" / "stdout"
            measure([*command, "--concurrency", "1"], ROOT, ok=(0, 4), stdout=sink)
            expected[name] = output(name, sink, folder / "direct" / "imported", endpoint)
        with slow_proxy(endpoint, latency=args.latency, rate=args.rate) as (url, proxy):
            config = write_config(folder / "proxied", url)
            flags = ["--concurrency", str(args.concurrency), "--max-rps", str(args.rate)]
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands(config, folder)}
            calls: dict[str, int] = {}
            same: dict[str, bool] = {}
            for _ in range(args.repeat):
                for name, command in commands(config, folder / "proxied" / "imported").items():
                    before, throttled = Counter(proxy.requests), Counter(proxy.throttled)
                    sink = folder / "proxied" / "stdout"
                    runs[name].append(measure([*command, *flags], ROOT, ok=(0, 4), stdout=sink))
                    made = sum((proxy.requests - before).values()) - sum((proxy.throttled - throttled).values())
                    calls[name] = made
                    got = output(name, sink, folder / "proxied" / "imported", url)
                    same[name] = same.get(name, True) and got == expected[name]
        for name, rs in runs.items():
            walls = [r["wall"] for r in rs]
            floor = max(calls[name] / args.rate, calls[name] * args.latency / args.concurrency)
            peak = max(r["peak_mb"] for r in rs)
            rows.append((name, calls[name], floor, min(walls), statistics.median(walls), peak, same[name]))
    print(f"{'':16} {'calls':>7} {'floor':>8} {'fastest':>8} {'ratio':>6} {'median':>8} {'peak':>7}  same output")
    for name, n, floor, fastest, median, peak, equal in rows:
        print(
            f"{name:16} {n:7,} {floor:7.2f}s {fastest:7.2f}s {fastest / floor:5.2f}x {median:7.2f}s {peak:5.0f}MB  "
            f"{'yes' if equal else 'NO'}"
        )
    print("goal: every command <= 1.25x its floor, < 1024 MB peak, the sequential read's output")
    met = all(fastest <= 1.25 * floor and peak < 1024 and equal for _, _, floor, fastest, _, peak, equal in rows)
    return 0 if met else 2


if __name__ == "__main__":
    raise SystemExit(main())
