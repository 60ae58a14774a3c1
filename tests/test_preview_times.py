"""Image times: an inventory gives the same preview whether its times are UTC strings, strings with other
offsets, or epoch numbers (AWS CLI v1's default); and an evaluation
time past the year 9999 (a forecast from a late ``--now``) is no error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from devtools.synthetic import FLEET_POLICY, fleet_inventory
from ecr_lifecycle.app.policies import policy_for_preview
from ecr_lifecycle.core.preview.engine import evaluate
from ecr_lifecycle.core.preview.inventory import Image, load_inventory
from tests.helpers import at, policy, rule
from tests.inprocess import invoke

NOW = 1_790_000_000.0
TIME_FIELDS = ("imagePushedAt", "lastRecordedPullTime")
OFFSETS = [timezone(timedelta(hours=h, minutes=m)) for h, m in ((-8, 0), (5, 30), (0, 0), (13, 45))]


def _variants() -> dict[str, dict[str, Any]]:
    """One inventory three ways; a few push times get a fraction of a second."""
    base = fleet_inventory(600, 12, NOW)["imageDetails"]
    for n, detail in enumerate(base):
        if n % 9 == 0:
            detail["imagePushedAt"] = detail["imagePushedAt"].replace("+00:00", ".250000+00:00")
    variants: dict[str, list[dict[str, Any]]] = {"utc": base, "offsets": [], "epoch": []}
    for n, detail in enumerate(base):
        moments = {k: datetime.fromisoformat(detail[k]) for k in TIME_FIELDS if k in detail}
        offset = OFFSETS[n % len(OFFSETS)]
        variants["offsets"].append(detail | {k: m.astimezone(offset).isoformat() for k, m in moments.items()})
        variants["epoch"].append(detail | {k: m.timestamp() for k, m in moments.items()})
    return {name: {"imageDetails": details} for name, details in variants.items()}


def _preview(path: Path, fmt: str) -> str:
    policy_file = path.parent / "policy.json"
    policy_file.write_text(json.dumps(FLEET_POLICY))
    outcome = invoke("preview", "--images", str(path), "--policy", str(policy_file), "--now", str(NOW), "--format", fmt)
    assert outcome.code == 0, outcome.stderr
    return outcome.stdout


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_the_same_times_written_three_ways_give_the_same_preview(tmp_path: Path, fmt: str) -> None:
    outputs = {}
    for name, doc in _variants().items():
        path = tmp_path / name / "images.json"
        path.parent.mkdir()
        path.write_text(json.dumps(doc))
        outputs[name] = _preview(path, fmt)
    assert outputs["offsets"] == outputs["utc"] == outputs["epoch"]
    if fmt == "json":
        pushed = {
            r["imagePushedAt"] for repo in json.loads(outputs["utc"])["repositories"] for r in repo["previewResults"]
        }
        assert pushed and all(p.endswith("+00:00") for p in pushed)
        assert any(".250000+00:00" in p for p in pushed)  # fractions kept, to the microsecond


def test_every_way_of_writing_times_gives_the_same_images(tmp_path: Path) -> None:
    loaded = {}
    for name, doc in _variants().items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc))
        loaded[name] = load_inventory([str(path)])
    assert loaded["utc"] == loaded["offsets"] == loaded["epoch"]
    assert all(i.pushed_at.tzinfo is not None for i in loaded["offsets"])


def _image(digest: str, pushed: float) -> Image:
    return Image("r", digest, at(pushed), ("v1",))


def test_ages_past_either_end_of_the_calendar() -> None:
    images = [_image("sha256:a", 1_000_000.0), _image("sha256:b", 253_402_300_000.0)]
    doc = policy(rule(1, "any", "sinceImagePushed", 2**31 - 1))  # further back than 1970: nothing is that old
    checked = policy_for_preview(json.dumps(doc), "p.json")[0]
    assert evaluate(checked, images, NOW) == []
    doc = policy(rule(1, "any", "sinceImagePushed", 1))
    checked = policy_for_preview(json.dumps(doc), "p.json")[0]
    late = 253_402_300_000.0 + 30 * 86_400  # past 9999: every image is older than a day
    assert [d.image.digest for d in evaluate(checked, images, late)] == ["sha256:a", "sha256:b"]


def test_a_forecast_past_the_year_9999_is_no_error(tmp_path: Path) -> None:
    path = tmp_path / "images.json"
    pushed = datetime(9999, 12, 10, tzinfo=UTC).isoformat()
    path.write_text(
        json.dumps({"imageDetails": [{"repositoryName": "r", "imageDigest": "sha256:1", "imagePushedAt": pushed}]})
    )
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(policy(rule(1, "any", "sinceImagePushed", 14))))
    outcome = invoke(
        "preview", "--images", str(path), "--policy", str(policy_file), "--now", "9999-12-20T00:00:00Z",
        "--horizon", "30d", "--format", "json",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    forecast = json.loads(outcome.stdout)["forecast"]
    assert [(u["imageDigest"], u["on"]) for u in forecast] == [("sha256:1", "9999-12-25")]
