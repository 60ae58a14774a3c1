"""``python -m ecr_lifecycle preview``: AWS-shaped JSON, estimates beside it, guards and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import policy, rule
from tests.test_cli_validate import cli

ENV = {"ECR_ENDPOINT_URL": "http://127.0.0.1:1"}
NOW = "2026-06-01T00:00:00Z"


def inventory(tmp: Path) -> Path:
    details = [
        {
            "repositoryName": "payments/api",
            "imageDigest": "sha256:old",
            "imageTags": ["v1.0.0"],
            "imagePushedAt": "2026-01-01T00:00:00Z",
            "imageSizeInBytes": 2 * 1024**3,
        },
        {
            "repositoryName": "payments/api",
            "imageDigest": "sha256:untagged",
            "imagePushedAt": 1767225600,
            "imageSizeInBytes": 1024**3,
        },
        {
            "repositoryName": "payments/api",
            "imageDigest": "sha256:new",
            "imageTags": ["v1.1.0", "latest"],
            "imagePushedAt": "2026-05-30T00:00:00+00:00",
            "imageSizeInBytes": 1024**3,
        },
        {"repositoryName": "tools/unmanaged", "imageDigest": "sha256:x", "imagePushedAt": "2026-01-01T00:00:00Z"},
    ]
    path = tmp / "images.json"
    path.write_text(json.dumps({"imageDetails": details}))
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    pol = tmp_path / "policy.json"
    pol.write_text(json.dumps(policy(rule(1, "untagged", "sinceImagePushed", 7), rule(2, "any", count=1))))
    return inventory(tmp_path), pol


def test_json_output_has_the_aws_shape_and_our_estimates_beside_it(files: tuple[Path, Path]) -> None:
    images, pol = files
    out = cli("preview", "--images", str(images), "--policy", str(pol), "--now", NOW, "--format", "json", env=ENV)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    api = next(r for r in doc["repositories"] if r["repositoryName"] == "payments/api")
    assert set(api) == {"repositoryName", "lifecyclePolicyText", "status", "previewResults", "summary"}
    assert api["status"] == "COMPLETE"
    assert api["summary"] == {"expiringImageTotalCount": 2}
    assert api["previewResults"][0] == {
        "imageTags": ["v1.0.0"],
        "imageDigest": "sha256:old",
        "imagePushedAt": "2026-01-01T00:00:00+00:00",
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 2,
        "storageClass": "STANDARD",
    }
    assert [r["appliedRulePriority"] for r in api["previewResults"]] == [2, 1]
    impact = next(i for i in doc["impact"] if i["repositoryName"] == "payments/api")
    assert impact["expiringBytes"] == 3 * 1024**3 and impact["savingsPerMonthUpperBound"] == 0.3
    assert doc["totals"]["pricePerGbMonth"] == 0.1


def test_config_policies_apply_by_name_and_pattern(files: tuple[Path, Path]) -> None:
    images, _ = files
    out = cli("preview", "--images", str(images), "--now", NOW, "--format", "json", env=ENV)
    doc = json.loads(out.stdout)
    assert [r["repositoryName"] for r in doc["repositories"]] == ["payments/api"]
    assert doc["unmanagedRepositories"] == ["tools/unmanaged"]


def test_in_use_guard_exits_3_and_names_the_rule(files: tuple[Path, Path], tmp_path: Path) -> None:
    images, pol = files
    in_use = tmp_path / "in-use.txt"
    in_use.write_text(
        "# deployed\n123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:v1.0.0\npayments/api@sha256:new\n"
    )
    out = cli(
        "preview",
        "--images",
        str(images),
        "--policy",
        str(pol),
        "--now",
        NOW,
        "--in-use",
        str(in_use),
        "--format",
        "markdown",
        env=ENV,
    )
    assert out.returncode == 3
    assert (
        "in-use image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:v1.0.0 would be expired"
        " by rule 2" in out.stderr
    )
    assert "sha256:new" not in out.stderr
    assert "[!CAUTION]" in out.stdout


def test_max_expire_percent_guard(files: tuple[Path, Path]) -> None:
    images, pol = files
    base = ["preview", "--images", str(images), "--policy", str(pol), "--now", NOW, "--format", "json"]
    assert cli(*base, "--max-expire-percent", "50", env=ENV).returncode == 3
    assert cli(*base, "--max-expire-percent", "100", env=ENV).returncode == 0


# The exit-code table (docs/commands.md): wrong inventory content is 1, a file that is not JSON at all is 2.
@pytest.mark.parametrize(
    ("content", "message", "code"),
    [
        (
            '{"imageDetails": [{"repositoryName": "a/b", "imageDigest": "sha256:1", "imagePushedAt": "yesterday"}]}',
            "imageDetails[0].imagePushedAt: 'yesterday' is neither ISO 8601 nor epoch seconds",
            1,
        ),
        (
            '{"imageDetails": [{"repositoryName": "a/b", "imagePushedAt": 1}]}',
            "imageDetails[0].imageDigest: missing",
            1,
        ),
        ('{"images": []}', "expected an object with an 'imageDetails' list", 1),
        ('{"imageDetails": [', "not valid JSON", 2),
    ],
)
def test_bad_inventory_is_one_line(
    files: tuple[Path, Path], tmp_path: Path, content: str, message: str, code: int
) -> None:
    _, pol = files
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    out = cli("preview", "--images", str(bad), "--policy", str(pol), env=ENV)
    assert out.returncode == code
    assert message in out.stderr and out.stderr.count("\n") == 1
    assert out.stdout == ""


def test_table_output_for_the_bundled_example() -> None:
    out = cli("preview", "--images", "examples/local/inventory.json", "--now", "2026-11-20T00:00:00Z", env=ENV)
    assert out.returncode == 0, out.stderr
    assert "payments/api" in out.stdout and "total" in out.stdout and "upper bound" in out.stdout


def test_the_process_leaves_only_after_all_output_and_the_guard_message(tmp_path: Path) -> None:
    # preview leaves through os._exit (no teardown): everything written must still reach the pipes.
    details = [
        {
            "repositoryName": f"team/app-{n % 7}",
            "imageDigest": f"sha256:{n:064x}",
            "imageTags": [f"build-{n}"],
            "imagePushedAt": 1_700_000_000 + n,
            "imageSizeInBytes": n,
        }
        for n in range(4000)
    ]
    images = tmp_path / "images.json"
    images.write_text(json.dumps({"imageDetails": details}))
    pol = tmp_path / "policy.json"
    pol.write_text(json.dumps(policy(rule(1, "any", count=1))))
    in_use = tmp_path / "in-use.txt"
    in_use.write_text(f"team/app-0@sha256:{0:064x}\n")
    out = cli(
        "preview", "--images", str(images), "--policy", str(pol), "--now", NOW, "--format", "json",
        "--in-use", str(in_use), env=ENV,
    )  # fmt: skip
    assert out.returncode == 3
    assert len(out.stdout) > 256 * 1024  # several pipe buffers
    doc = json.loads(out.stdout)
    assert sum(len(r["previewResults"]) for r in doc["repositories"]) == 4000 - 7
    assert "team/app-0" in out.stderr
