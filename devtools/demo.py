"""README command 1: the main job on the bundled example, against a local ECR endpoint.

Starts moto's server, creates the example repositories (with a few pushed images),
runs ``cdktf deploy`` on ``repositories.yaml``, reads every policy back and checks it
against what ``render`` prints, then previews the bundled inventory and stops the endpoint.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import subprocess
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "repositories.yaml")
INVENTORY = os.path.join(ROOT, "examples", "local", "inventory.json")
INVENTORY_TIME = "2026-11-20T00:00:00Z"  # when the bundled inventory was captured


def ecr(url: str) -> Any:
    import boto3

    from ecr_lifecycle.aws.session import LOCAL_KEY

    return boto3.client(
        "ecr", endpoint_url=url, region_name="us-east-1", aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY
    )


def push_image(client: Any, repository: str, tag: str) -> None:
    layer = hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "sha256:" + hashlib.sha256(tag.encode()).hexdigest(),
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 32654,
                "digest": "sha256:" + layer,
            }
        ],
    }
    client.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


def example_repositories() -> list[str]:
    with open(INVENTORY, encoding="utf-8") as fh:
        return sorted({d["repositoryName"] for d in json.load(fh)["imageDetails"]})


def deploy(env: dict[str, str]) -> float:
    start = time.monotonic()
    log_path = os.path.join(ROOT, "cdktf.out", "deploy.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    proc = subprocess.run(
        ["cdktf", "deploy", "local", "--auto-approve", "--skip-provider-lock"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    with open(log_path, "w", encoding="utf-8") as fh:
        fh.write(proc.stdout + proc.stderr)
    summary = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if "Apply complete" in line]
    if proc.returncode != 0:
        print(f"cdktf deploy failed (exit {proc.returncode}); full output in {log_path}:", file=sys.stderr)
        print("\n".join((proc.stdout + proc.stderr).splitlines()[-25:]), file=sys.stderr)
        raise SystemExit(1)
    print(f"  {summary[-1] if summary else 'deployed'} ({time.monotonic() - start:.0f}s; log: cdktf.out/deploy.log)")
    return time.monotonic() - start


def main() -> int:
    from devtools.local_ecr import local_ecr
    from ecr_lifecycle.app.drift import detect_drift
    from ecr_lifecycle.aws.policies import read_policies
    from ecr_lifecycle.cli.main import run
    from ecr_lifecycle.core.config.load import load_fleet

    started = time.monotonic()
    for stale in glob.glob(os.path.join(ROOT, "terraform.local.tfstate*")):
        os.remove(stale)  # state of an emulator that no longer exists
    print("1/4 starting a local ECR endpoint (moto) on 127.0.0.1")
    with local_ecr() as url:
        os.environ["ECR_ENDPOINT_URL"] = url  # the example target reads its endpoint from here
        env = {**os.environ, "CI": "1"}
        client = ecr(url)
        repositories = example_repositories()
        for name in repositories:
            client.create_repository(repositoryName=name)
            for tag in ("v1.0.0", "main-abc1234", "feature-login-1"):
                push_image(client, name, tag)
        print(f"  {url}: {len(repositories)} repositories, {3 * len(repositories)} images pushed")

        print("2/4 cdktf deploy local (repositories.yaml)")
        deploy(env)

        print("3/4 reading the policies back")
        fleet = load_fleet(CONFIG, env)
        report = detect_drift(fleet, {"local": read_policies(client)})
        drifted = {d.repository: d for d in report.drifts}
        ok = not drifted
        for name in repositories:
            entry = fleet.entry_for("local", name)
            if name in drifted:
                state = f"DRIFT ({drifted[name].kind.value})"
            elif entry is None:
                state = "no policy (not configured)"
            else:
                how = "name" if entry.name else f"pattern {entry.pattern}"
                state = f"matches render ({how}; {', '.join(entry.composed.templates)})"
            print(f"  {name:28} {state}")
        if not ok:
            print("error: deployed policies differ from the config", file=sys.stderr)
            return 1

        print(f"4/4 preview of the bundled inventory ({INVENTORY_TIME}): what these policies would remove")
        code = run(["preview", "--config", CONFIG, "--images", INVENTORY, "--now", INVENTORY_TIME])
    print(f"done in {time.monotonic() - started:.0f}s; local endpoint stopped")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
