"""Brownfield adoption and drift against a local ECR endpoint with hand-written policies.

Import the live policies, synthesize, and the first plan only imports (nothing to add,
change or destroy); deploy adopts them. Then a policy changed out of band is reported as
drift, rule by rule, and the next deploy puts it back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.local_ecr import local_ecr
from tests.e2e.project import Project, scratch_project
from tests.test_cli_validate import cli

pytestmark = pytest.mark.e2e

KEEP_10 = """{
    "rules": [ { "action": {"type": "expire"}, "rulePriority": 1, "description": "keep ten",
                 "selection": {"countNumber": 10, "countType": "imageCountMoreThan", "tagStatus": "any"} } ]
}"""
KEEP_20 = KEEP_10.replace('"countNumber": 10', '"countNumber": 20').replace("keep ten", "keep twenty")
HAND_WRITTEN = json.dumps(
    {
        "rules": [  # out of order, no descriptions, an AND-matched prefix list
            {
                "rulePriority": 5,
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 400,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["release", "prod"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 3,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            },
        ]
    }
)
EMPTY_PREFIX = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "an empty prefix we refuse to import",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": [""],
                    "countType": "imageCountMoreThan",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)
LIVE = {
    "svc/a": KEEP_10,
    "svc/b": KEEP_10,
    "svc/c": KEEP_20,
    "legacy/x": HAND_WRITTEN,
    "bad/empty-prefix": EMPTY_PREFIX,
    "bare/none": None,
}


def test_import_adopts_without_changes_then_drift_is_reported_and_fixed(tmp_path: Path) -> None:
    imported = tmp_path / "imported"
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "version: 1\ntargets:\n  - name: local\n    region: us-east-1\n"
        "    endpoints: {ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}\n"
    )
    with local_ecr() as url:
        env = {"ECR_ENDPOINT_URL": url}
        project = Project(
            scratch_project(tmp_path / "project"), url, {"ECR_LIFECYCLE_CONFIG": str(imported / "repositories.yaml")}
        )
        for name, text in LIVE.items():
            project.ecr.create_repository(repositoryName=name)
            if text is not None:
                project.ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=text)

        done = cli("import", "--output", str(imported), "--targets-from", str(targets), env=env)
        assert done.returncode == 0, done.stderr
        # svc/a and svc/b share a policy and own svc/**: one pattern (svc/c keeps an exact entry).
        assert (
            "4 repositories imported: 3 entries (1 patterns) cover them; library templates reused: none; "
            "2 imported template(s); 1 without a policy, 1 skipped"
        ) in done.stderr, done.stderr
        assert "pattern: svc/**" in (imported / "repositories.yaml").read_text()
        again = cli("import", "--output", str(imported), "--targets-from", str(targets), env=env)
        assert again.returncode == 2 and "exists; pass --force" in again.stderr

        project.synth()
        _, changes = project.plan_changes()
        assert sorted(c["address"] for c in changes if c["change"].get("importing")) == [
            f'aws_ecr_lifecycle_policy.this["{n}"]' for n in ("legacy/x", "svc/a", "svc/b", "svc/c")
        ]
        assert all(c["change"]["actions"] == ["no-op"] for c in changes)
        project.cdktf("deploy", "local", "--auto-approve", "--skip-provider-lock")
        assert project.plan() == (0, {})

        config = str(imported / "repositories.yaml")
        in_sync = cli("drift", "--config", config, env=env)
        # The policy import refused (empty prefix) is unmanaged: listed, not drift; no deploy touches it.
        assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
        lines = in_sync.stdout.splitlines()
        assert lines[0] == "local/bad/empty-prefix: not managed by the config: the next deploy leaves it as it is"
        assert lines[1].startswith("3 'adopt: true' flag(s) can be removed (the policy is in place)")  # 3 entries
        assert lines[2] == (
            "6 repositories checked: 5 in sync, 0 drifted (0 without their policy), "
            "1 with a policy the config does not manage"
        )
        assert cli("drift", "--config", config, "--strict", env=env).returncode == 4

        project.ecr.put_lifecycle_policy(repositoryName="svc/c", lifecyclePolicyText=KEEP_20.replace("20", "5"))
        drifted = cli("drift", "--config", config, "--format", "json", env=env)
        assert drifted.returncode == 4
        doc = json.loads(drifted.stdout)
        report = {d["repository"]: d for d in doc["drift"]}
        assert report["svc/c"]["kind"] == "different"
        assert report["svc/c"]["changes"] == ["all images: expire beyond the newest 5 → expire beyond the newest 20"]
        assert [d["repository"] for d in doc["unmanaged"]] == ["bad/empty-prefix"]

        project.cdktf("deploy", "local", "--auto-approve", "--skip-provider-lock")
        fixed = cli("drift", "--config", config, env=env)
        assert fixed.returncode == 0 and fixed.stdout == in_sync.stdout  # back to only the unmanaged policy

        pruned = cli("prune-adopt", "--config", config, env=env)
        assert pruned.returncode == 0 and "3 'adopt: true' flag(s) removed, 0 kept" in pruned.stderr, pruned.stderr
        assert "adopt" not in (imported / "repositories.yaml").read_text().split("repositories:")[1].split("#")[0]
        project.synth()
        assert project.plan() == (0, {})  # without the import blocks, nothing to do
