"""Shards: which stack owns which repository, state keys, and the mistakes the loader refuses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.config.shards import stack_plans
from ecr_lifecycle.core.sourcefile import SourceError
from tests.test_cli_validate import cli

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path, target: str, extra_target: str = "") -> Path:
    (tmp_path / "repositories.yaml").write_text(
        "version: 1\ntargets:\n"
        f"  - {{name: prod, region: eu-west-1, {target}backend: {{type: s3, bucket: state-bkt, key: ecr/prod.tfstate, "
        f"region: eu-west-1}}}}\n"
        + extra_target
        + "repositories:\n"
        + "".join(f"  - name: app/{n}\n    templates: [keep-last]\n" for n in range(40))
        + "  - pattern: 'team/*'\n    templates: [keep-last]\n"
        + "creation_templates:\n  - prefix: ROOT\n    templates: [untagged-cleanup]\n"
    )
    return tmp_path / "repositories.yaml"


def test_each_repository_goes_to_the_shard_its_name_hashes_to(tmp_path: Path) -> None:
    fleet = load_fleet(str(_config(tmp_path, "shards: 4, ")))
    stacks = stack_plans(fleet)
    assert list(stacks) == ["prod-0", "prod-1", "prod-2", "prod-3"]
    owned = {name: s.shard for s in stacks.values() for name in s.plan.named}
    assert sorted(owned) == sorted(f"app/{n}" for n in range(40))
    for name, shard in owned.items():
        assert shard == int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 4
    assert len(set(owned.values())) == 4
    assert [s.backend.key for s in stacks.values()] == [f"ecr/prod-{k}-of-4.tfstate" for k in range(4)]
    # Patterns go to every shard (Terraform filters what they find); creation templates only to the first.
    assert all(len(s.plan.patterns) == 1 for s in stacks.values())
    assert [len(s.plan.creation_templates) for s in stacks.values()] == [1, 0, 0, 0]
    for s in stacks.values():
        used = set(s.plan.named.values()) | {p.policy_key for p in s.plan.patterns}
        used |= {t.composed.key for t in s.plan.creation_templates}
        assert set(s.plan.policies) == used


def test_a_changing_shard_count_adds_retired_stacks_on_the_old_state_keys(tmp_path: Path) -> None:
    stacks = stack_plans(load_fleet(str(_config(tmp_path, "shards: 3, previous_shards: 2, "))))
    assert list(stacks) == ["prod-0", "prod-1", "prod-2", "prod-retired-0", "prod-retired-1"]
    assert all(s.import_all for n, s in stacks.items() if "retired" not in n)
    assert [s.backend.key for n, s in stacks.items() if s.retired] == [
        "ecr/prod-0-of-2.tfstate",
        "ecr/prod-1-of-2.tfstate",
    ]
    one = stack_plans(load_fleet(str(_config(tmp_path, "shards: 2, previous_shards: 1, "))))
    assert one["prod-retired"].backend.key == "ecr/prod.tfstate" and one["prod-retired"].retired


def test_shard_mistakes_are_located_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as same:
        load_fleet(str(_config(tmp_path, "shards: 3, previous_shards: 3, ")))
    assert "targets[0].previous_shards: equals shards (3)" in same.value.messages[0]
    clash = "  - {name: prod-1, region: eu-west-1}\n"
    with pytest.raises(SourceError) as clashing:
        load_fleet(str(_config(tmp_path, "shards: 2, ", clash)))
    assert clashing.value.messages == (
        f"{tmp_path / 'repositories.yaml'}:3: targets: stack 'prod-1' of target 'prod-1' is also a stack of "
        "target 'prod'",
    )


def test_the_stacks_command_lists_every_shard(tmp_path: Path) -> None:
    out = cli("stacks", "--config", str(_config(tmp_path, "shards: 2, ")))
    assert out.returncode == 0 and out.stdout.split() == ["prod-0", "prod-1"]
