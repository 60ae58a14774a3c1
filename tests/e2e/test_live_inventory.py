"""``preview --live`` reads a real (local) registry through boto3, resolves image-index children and saves it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3

from devtools.local_ecr import local_ecr
from tests.test_cli_validate import cli

CHILD = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"digest": "sha256:" + "2" * 64, "size": 1},
    "layers": [],
}


def test_live_preview_saves_a_reproducible_inventory(tmp_path: Path) -> None:
    with local_ecr() as url:
        ecr = boto3.client(
            "ecr", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        ecr.create_repository(repositoryName="payments/api")
        child = ecr.put_image(repositoryName="payments/api", imageManifest=json.dumps(CHILD))["image"]["imageId"]
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
            "manifests": [
                {
                    "mediaType": CHILD["mediaType"],
                    "digest": child["imageDigest"],
                    "size": 1,
                    "platform": {"architecture": "amd64", "os": "linux"},
                }
            ],
        }
        ecr.put_image(repositoryName="payments/api", imageManifest=json.dumps(index), imageTag="v1.0.0")
        saved = tmp_path / "inventory"
        env = {"ECR_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}
        live = cli(
            "preview",
            "--live",
            "--save-inventory",
            str(saved),
            "--format",
            "json",
            "--now",
            "2030-01-01T00:00:00Z",
            env=env,
        )
    assert live.returncode == 0, live.stderr
    details = json.loads((saved / "local" / "images.json").read_text())["imageDetails"]
    index_detail = next(d for d in details if d.get("imageTags") == ["v1.0.0"])
    assert index_detail["childImageDigests"] == [child["imageDigest"]]

    # The saved inventory reproduces the live preview offline, byte for byte.
    offline = cli(
        "preview",
        "--images",
        str(saved),
        "--format",
        "json",
        "--now",
        "2030-01-01T00:00:00Z",
        env={"ECR_ENDPOINT_URL": "http://127.0.0.1:1"},
    )
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout) == json.loads(live.stdout)
    # The untagged child is older than 7 days in 2030, but the index protects it.
    api = next(r for r in json.loads(live.stdout)["repositories"] if r["repositoryName"] == "payments/api")
    assert api["previewResults"] == [] and api["summary"] == {"expiringImageTotalCount": 0}
    assert os.path.isdir(saved / "local")
