"""Live reads through the read scheduler: concurrent reads give the sequential read's output byte for byte, and
throttling (30 % of requests, through a loopback proxy) is survived, counted with ``--verbose``, never fatal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.live_fleet import populate, write_config
from devtools.local_ecr import local_ecr
from devtools.slow_proxy import slow_proxy
from tests.inprocess import Outcome, invoke

NOW = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with local_ecr() as url:
        populate(url, repositories=8, images=3, workloads=2)
        yield url


def _commands(config: Path, out: Path) -> dict[str, tuple[str, ...]]:
    return {
        "preview": ("preview", "--config", str(config), "--live", "--now", NOW, "--format", "json"),
        "drift": ("drift", "--config", str(config), "--format", "json"),
        "in-use": ("in-use", "--config", str(config), "--format", "json"),
        "import": ("import", "--targets-from", str(config), "--output", str(out), "--force"),
    }


def _run_all(tmp: Path, url: str, *extra: str) -> tuple[dict[str, str], list[Outcome]]:
    config = write_config(tmp, url)
    outputs: dict[str, str] = {}
    outcomes = []
    for name, argv in _commands(config, tmp / "imported").items():
        outcome = invoke(*argv, *extra)
        assert outcome.code in (0, 4), f"{name}: {outcome.stderr}"  # drift: 4 when drifted
        outcomes.append(outcome)
        outputs[name] = outcome.stdout
    # The imported config names the endpoint it was read from: the proxy's port differs.
    outputs["import"] = (tmp / "imported" / "repositories.yaml").read_text().replace(url, "URL")
    return outputs, outcomes


@pytest.mark.slow  # ~40 s: botocore's backoff after each throttled request is real time
def test_concurrent_reads_equal_the_sequential_read_and_survive_throttling(tmp_path: Path, endpoint: str) -> None:
    sequential, _ = _run_all(tmp_path / "sequential", endpoint, "--concurrency", "1")
    assert '"repositoryName":"team-0/service-00000"' in sequential["preview"]
    with slow_proxy(endpoint, latency=0.0, throttle_share=0.3) as (url, proxy):
        throttled, outcomes = _run_all(tmp_path / "throttled", url, "--concurrency", "8", "--verbose")
    assert sum(proxy.throttled.values()) > 0
    for name in sequential:
        # The endpoint URL is in no output: each command's bytes are the sequential read's.
        assert throttled[name] == sequential[name], name
    retries = [line for o in outcomes for line in o.stderr.splitlines() if line.startswith("target local: ")]
    assert len(retries) == 4 and all(" retries" in line for line in retries), retries
    counted = sum(int(line.rsplit(", ", 1)[1].split()[0]) for line in retries)
    assert counted >= sum(proxy.throttled.values()) - 5  # every throttled request retried (validate: none)


def test_a_permanent_failure_is_one_line_naming_the_repository_and_the_api(
    tmp_path: Path, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    with slow_proxy(endpoint, latency=0.0, throttle_share=1.0, only="DescribeImages") as (url, _):
        config = write_config(tmp_path, url)
        argv = ("preview", "--config", str(config), "--live", "--now", NOW, "--format", "json", "--concurrency", "1")
        out = invoke(*argv)
    assert out.code == 1 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: target local: cannot read repository team-0/service-00000: "), lines
    assert "DescribeImages" in lines[0] and "Rate exceeded" in lines[0]
