"""``plan``'s choices and words: a target's name selects its shards; a failure shows Terraform's whole error,
and a failed import names only the repositories Terraform names (issue 25)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ecr_lifecycle.app.plan import explain_failure
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.report.plan import error_blocks
from ecr_lifecycle.terraform.runner import TerraformError, _terraform
from tests.inprocess import invoke

CONFIG = """\
version: 1
targets:
  - {name: prod-eu, region: eu-west-1, shards: 3}
  - {name: prod-us, region: us-east-1}
repositories:
  - name: svc/gone
    adopt: true
    templates: [untagged-cleanup]
  - name: svc/kept
    adopt: true
    templates: [untagged-cleanup]
"""

# What Terraform prints when a plan fails on a provider setting and an import (its boxes included, and the
# escaped quotes of an address inside quotes).
OUTPUT = """\
aws_ecr_lifecycle_policy.this["svc/kept"]: Preparing import... [id=svc/kept]
aws_ecr_lifecycle_policy.this["svc/kept"]: Refreshing state... [id=svc/kept]
╷
│ Error: Cannot import non-existent remote object
│
│ While attempting to import an existing object to "aws_ecr_lifecycle_policy.this[\\"svc/gone\\"]", the
│ provider detected that no object exists with the given id.
╵
╷
│ Error: AWS account ID not allowed: 111111111111
│
│   with provider["registry.terraform.io/hashicorp/aws"],
│   on cdk.tf.json line 132:
│  132:       }
╵
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "policies").mkdir()
    (tmp_path / "repositories.yaml").write_text(CONFIG)
    return tmp_path / "repositories.yaml"


def test_a_target_name_selects_every_shard_of_it(config: Path) -> None:
    out = invoke("stacks", "prod-eu", "--config", str(config))
    assert (out.code, out.stdout.split()) == (0, ["prod-eu-0", "prod-eu-1", "prod-eu-2"]), out.stderr
    out = invoke("stacks", "prod-eu-1", "prod-us", "--config", str(config))
    assert out.stdout.split() == ["prod-eu-1", "prod-us"]
    assert invoke("stacks", "prod-asia", "--config", str(config)).code != 0


def test_error_blocks_are_terraforms_errors_whole() -> None:
    blocks = error_blocks(OUTPUT)
    assert [b.splitlines()[0] for b in blocks] == [
        "Error: Cannot import non-existent remote object",
        "Error: AWS account ID not allowed: 111111111111",
    ]
    assert "on cdk.tf.json line 132:" in blocks[1] and "│" not in blocks[1]


def test_a_failed_import_names_only_the_repository_terraform_names(config: Path) -> None:
    message = explain_failure(load_fleet(str(config)), "prod-eu-1", OUTPUT)
    assert message is not None and "svc/gone" in message and "svc/kept" not in message
    assert "repositories[0]" in message  # the entry, found through the shard's target


def test_a_failing_terraform_step_shows_its_error_not_its_last_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    (tmp_path / "out.txt").write_text(OUTPUT)
    fake.write_text(f"#!/bin/sh\ncat {tmp_path / 'out.txt'} >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(TerraformError) as caught:
        _terraform(["plan"], str(tmp_path), dict(os.environ), "prod-eu-1")
    text = str(caught.value)
    assert text.startswith("stack prod-eu-1: terraform plan failed:\nError: Cannot import non-existent remote object")
    assert "Error: AWS account ID not allowed: 111111111111" in text
