"""Import (pure part): grouping live policies into templates, and the round trip through the config loader."""

from __future__ import annotations

import json
from pathlib import Path

from ecr_lifecycle.core.config.adopt import build_adoption as build_import
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.policy import equivalent_policy_texts
from tests.helpers import policy, rule

TARGETS = [{"name": "prod", "region": "eu-west-1"}]


def keep(n: int, description: str = "keep some") -> str:
    return json.dumps(
        policy(
            rule(1, "untagged", "sinceImagePushed", 3, description="untagged cleanup"),
            rule(2, "any", "imageCountMoreThan", n, description=description),
        )
    )


LIVE: dict[str, dict[str, str | None]] = {
    "prod": {
        "a/one": keep(10),
        "a/two": keep(10),
        "b/three": keep(25, "keep 25"),
        "c/odd": json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 7,
                        "selection": {
                            "tagStatus": "tagged",
                            "tagPrefixList": ["v"],
                            "countType": "imageCountMoreThan",
                            "countNumber": 3,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
        "d/invalid": json.dumps(policy(rule(1, "tagged", prefixes=[""]))),
        "e/none": None,
    }
}


def write(tmp: Path) -> Path:
    result = build_import(TARGETS, LIVE, "schema.json")
    (tmp / "policies").mkdir()
    for name, text in result.templates.items():
        (tmp / "policies" / name).write_text(text)
    (tmp / "repositories.yaml").write_text(result.config)
    return tmp / "repositories.yaml"


def test_identical_and_near_identical_policies_share_templates() -> None:
    result = build_import(TARGETS, LIVE, "schema.json")
    assert sorted(result.templates) == ["imported-1.yaml", "imported-2.yaml"]
    assert "count_2" in result.templates["imported-1.yaml"] and "description_2" in result.templates["imported-1.yaml"]
    assert "parameters" not in result.templates["imported-2.yaml"]
    assert result.without_policy == [("prod", "e/none")]
    assert [(t, r) for t, r, _ in result.skipped] == [("prod", "d/invalid")]
    assert "E209" in result.skipped[0][2]
    assert "#   prod: e/none" in result.config


def test_round_trip_reproduces_every_live_policy(tmp_path: Path) -> None:
    fleet = load_fleet(str(write(tmp_path)))
    for repository, text in LIVE["prod"].items():
        entry = fleet.entry_for("prod", repository)
        if repository in ("d/invalid", "e/none"):
            assert entry is None
            continue
        assert entry is not None and text is not None
        assert entry.adopt
        assert equivalent_policy_texts(entry.composed.text, text), repository
    assert fleet.plans["prod"].adopt == ("a/one", "a/two", "b/three", "c/odd")
