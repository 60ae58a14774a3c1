"""A local ECR endpoint: moto's server on 127.0.0.1 at a free port, started and stopped by us.

``python -m devtools.local_ecr`` runs one in the foreground (prints its URL).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_RUNNING = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")


@contextmanager
def local_ecr(timeout: float = 30.0) -> Iterator[str]:
    """Start moto's server on a free loopback port; yield its URL; stop it (no leftover process)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = _wait_for_url(proc, timeout)
        _wait_ready(url, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def _wait_for_url(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {proc.returncode}: {''.join(seen)[-500:]}")
            continue
        seen.append(line)
        match = _RUNNING.search(line)
        if match:
            # Keep draining stderr so the server never blocks on a full pipe.
            import threading

            threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
            return match.group(1)
    raise RuntimeError("moto server did not report its address in time")


def _wait_ready(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {url} did not answer in time")


def main() -> int:
    with local_ecr() as url:
        print(url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def local_client(service: str, url: str, region: str = "us-east-1") -> Any:
    """A boto3 client of the local emulator, with the credentials it accepts."""
    import boto3

    from ecr_lifecycle.aws.session import LOCAL_KEY

    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=url, region_name=region, aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY
    )
