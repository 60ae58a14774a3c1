"""Import (pure part): library templates recognised first, imported templates with named parameters,
patterns where they are exact, and the round trip through the config loader."""

from __future__ import annotations

import json
from pathlib import Path

from ecr_lifecycle.core.config.adopt import build_adoption
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.policy import equivalent_policy_texts
from ecr_lifecycle.core.templates.library import load_library
from tests.helpers import policy, rule

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [{"name": "prod", "region": "eu-west-1"}]


def keep(n: int, description: str = "keep some") -> str:
    return json.dumps(
        policy(
            rule(1, "untagged", "sinceImagePushed", 3, description="untagged cleanup"),
            rule(2, "any", "imageCountMoreThan", n, description=description),
        )
    )


ODD = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 7,
                "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan",
                              "countNumber": 3},
                "action": {"type": "expire"},
            }
        ]
    }
)  # fmt: skip

LIVE: dict[str, dict[str, str | None]] = {
    "prod": {
        "a/one": keep(10),
        "a/two": keep(10),
        "b/three": keep(25, "keep 25"),
        "c/odd": ODD,
        "d/invalid": json.dumps(policy(rule(1, "tagged", prefixes=[""]))),
        "e/none": None,
    }
}


def library_policy(days: int, keep_n: int) -> str:
    """What ``untagged-cleanup`` + ``keep-last`` compose to (as this tool deployed it)."""
    return json.dumps(
        {
            "rules": [
                {"rulePriority": 1, "description": f"Expire untagged images older than {days} days",
                 "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                               "countNumber": days}, "action": {"type": "expire"}},
                {"rulePriority": 2, "description": f"Keep the newest {keep_n} images",
                 "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_n},
                 "action": {"type": "expire"}},
            ]
        }
    )  # fmt: skip


def write(tmp: Path, live: dict[str, dict[str, str | None]], **kw: object) -> Path:
    result = build_adoption(TARGETS, live, "schema.json", **kw)  # type: ignore[arg-type]
    (tmp / "policies").mkdir()
    for name, text in result.templates.items():
        (tmp / "policies" / name).write_text(text)
    (tmp / "repositories.yaml").write_text(result.config)
    return tmp / "repositories.yaml"


def assert_round_trip(config: Path, live: dict[str, dict[str, str | None]], unmanaged: set[str]) -> None:
    fleet = load_fleet(str(config))
    for repository, text in live["prod"].items():
        entry = fleet.entry_for("prod", repository)
        if repository in unmanaged:
            assert entry is None, repository
            continue
        assert entry is not None and text is not None, repository
        assert entry.adopt
        assert equivalent_policy_texts(entry.composed.text, text), repository


def test_same_shape_policies_share_a_template_with_parameters_named_after_what_they_set() -> None:
    result = build_adoption(TARGETS, LIVE, "schema.json")
    assert sorted(result.templates) == ["imported-1.yaml", "imported-2.yaml"]
    text = result.templates["imported-1.yaml"]
    assert "${keep}" in text and "${description}" in text and "count_2" not in text
    assert "parameters" not in result.templates["imported-2.yaml"]
    assert result.without_policy == [("prod", "e/none")]
    assert [(t, r) for t, r, _ in result.skipped] == [("prod", "d/invalid")]
    assert "E209" in result.skipped[0][2]
    assert "#   prod: e/none" in result.config


def test_round_trip_reproduces_every_live_policy(tmp_path: Path) -> None:
    assert_round_trip(write(tmp_path, LIVE), LIVE, {"d/invalid", "e/none"})


def test_library_compositions_are_recognised_with_their_parameter_names(tmp_path: Path) -> None:
    library = load_library(str(ROOT / "policies"))
    texts = {name: (ROOT / "policies" / f"{name}.yaml").read_text() for name in library.templates}
    live: dict[str, dict[str, str | None]] = {"prod": {"svc/api": library_policy(7, 30), "svc/odd": ODD}}
    result = build_adoption(TARGETS, live, "schema.json", library.templates, texts)
    assert result.reused == ("keep-last", "untagged-cleanup")
    assert "templates:\n  - untagged-cleanup\n  - keep-last\n  params:\n    days: 7\n    keep: 30" in result.config
    assert sorted(result.templates) == ["imported-1.yaml", "keep-last.yaml", "untagged-cleanup.yaml"]
    assert_round_trip(write(tmp_path, live, library=library.templates, library_texts=texts), live, set())


def test_repositories_sharing_a_policy_under_a_prefix_fold_into_a_pattern(tmp_path: Path) -> None:
    live: dict[str, dict[str, str | None]] = {
        "prod": {
            **{f"team-a/svc-{n}": keep(10) for n in range(8)},
            "team-a/special": keep(99, "special"),  # its own policy: an exact entry beats the pattern
            "team-a/bare": None,  # no policy: the pattern must exclude it
            "solo/x": keep(10),
        }
    }
    result = build_adoption(TARGETS, live, "schema.json")
    assert result.patterns == 1 and result.entries == 3
    assert "pattern: team-a/**\n  exclude:\n  - team-a/bare" in result.config
    assert "# 3 entries cover 10 repositories (1 patterns)" in result.config
    config = write(tmp_path, live)
    assert_round_trip(config, live, {"team-a/bare"})
    plan = load_fleet(str(config)).plans["prod"]
    assert [p.adopt for p in plan.patterns] == [True]


def test_no_pattern_when_it_would_not_be_exact(tmp_path: Path) -> None:
    many_bare = {f"team-a/bare-{n}": None for n in range(5)}
    live: dict[str, dict[str, str | None]] = {"prod": {"team-a/one": keep(10), "team-a/two": keep(10), **many_bare}}
    result = build_adoption(TARGETS, live, "schema.json")
    assert result.patterns == 0 and result.entries == 2
    assert_round_trip(write(tmp_path, live), live, set(many_bare))
