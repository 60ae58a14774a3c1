"""``render REPOSITORY``: the policy a repository gets, and where each rule came from."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli_validate import cli


def test_render_names_the_entry_templates_and_rule_sources() -> None:
    out = cli("render", "team-a/search")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("# team-a/search in target 'local': pattern 'team-a/*', repositories.yaml:")
    assert lines[1] == "# templates: untagged-cleanup, feature-branches, keep-last"
    assert lines[2:5] == [
        "#   rule 1: template untagged-cleanup: Expire untagged images older than 14 days",
        "#   rule 2: template feature-branches: Expire feature- images older than 14 days",
        "#   rule 3: template keep-last: Keep the newest 50 images",
    ]


def test_render_json_is_the_policy_document() -> None:
    out = cli("render", "payments/api", "--format", "json")
    doc = json.loads(out.stdout)
    assert [r["rulePriority"] for r in doc["rules"]] == [1, 2, 3]
    assert doc["rules"][1]["selection"]["tagPatternList"] == ["v*.*.*"]


def test_excluded_or_unknown_repositories_are_an_error() -> None:
    out = cli("render", "team-a/legacy-billing")
    assert out.returncode == 1
    assert "'team-a/legacy-billing' is excluded from pattern 'team-a/*' by its exclude 'team-a/legacy-*'" in out.stderr
    assert "repositories.yaml:" in out.stderr
    out = cli("render", "nobody/here")
    assert out.returncode == 1
    assert "no repository entry or pattern in repositories.yaml matches 'nobody/here'" in out.stderr
    assert cli("render", "payments/api", "--target", "prod").returncode == 2


def test_the_same_policy_in_several_targets_is_printed_once(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    config.write_text(
        "version: 1\ntargets: [{name: a, region: us-east-1}, {name: b, region: eu-west-1}]\n"
        "repositories:\n  - name: app/api\n    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, "
        "countNumber: 5}, action: {type: expire}, description: keep the newest five images of any kind}]\n"
    )
    out = cli("render", "app/api", "--config", str(config))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("# app/api in") == 1 and "# app/api in targets 'a', 'b': exact name" in out.stdout
