"""AWS's documented policies are accepted; every documented constraint's negative vector is rejected."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ecr_lifecycle.core.policy import check_policy
from tests.helpers import policy, rule

ACCEPTED = {
    "age: tagged prod* older than 14 days": policy(rule(1, "tagged", "sinceImagePushed", 14, patterns=["prod*"])),
    "count: untagged keep 1": policy(rule(1, "untagged", "imageCountMoreThan", 1)),
    "last pulled: archive after 90 days": policy(
        rule(1, "any", "sinceImagePulled", 90, action="transition", target="archive")
    ),
    "archive age: expire archived after 365 days": policy(
        rule(1, "any", "sinceImageTransitioned", 365, storage_class="archive")
    ),
    "archive prod images older than 30 days": policy(
        rule(1, "tagged", "sinceImagePushed", 30, patterns=["prod*"], action="transition", target="archive")
    ),
    "combined archive and expire (two any rules, one per storage class)": policy(
        rule(1, "any", "sinceImagePushed", 30, action="transition", target="archive"),
        rule(2, "any", "sinceImageTransitioned", 365, storage_class="archive"),
    ),
    "V1 multiple rules A": policy(rule(1, "tagged", patterns=["prod*"]), rule(2, "tagged", patterns=["beta*"])),
    "V3 multiple tags in one rule": policy(rule(1, "tagged", "sinceImagePushed", 5, patterns=["alpha*", "beta*"])),
    "V5 all images": policy(rule(1, "any", "imageCountMoreThan", 1)),
    "V6 all rule types": policy(
        rule(1, "tagged", patterns=["alpha*"]),
        rule(2, "untagged", "sinceImagePushed", 1),
        rule(3, "any", "imageCountMoreThan", 1),
    ),
    "historic prefix lists": policy(rule(1, "tagged", prefixes=["prod"]), rule(2, "tagged", prefixes=["beta"])),
    "four wildcards are allowed": policy(rule(1, "tagged", patterns=["*test*1*2*3", "test*1*2*3*"])),
    "priorities need not be consecutive, any in both classes": policy(
        rule(10, "untagged", "sinceImagePushed", 3),
        rule(20, "any", "sinceImagePulled", 60, action="transition", target="archive"),
        rule(30, "untagged", "sinceImageTransitioned", 90, storage_class="archive"),
        rule(40, "any", "sinceImageTransitioned", 120, storage_class="archive"),
    ),
    "count rule may transition": policy(rule(1, "any", "imageCountMoreThan", 5, action="transition", target="archive")),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_documented_policy_is_accepted(name: str) -> None:
    result = check_policy(ACCEPTED[name])
    assert result.ok, [f.render() for f in result.errors]
    assert result.policy is not None


def _mutate(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    keys = path.split(".")
    node = doc["rules"][0]
    for key in keys[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return doc


_DELETE = object()

# (vector number, policy, expected code, expected path)
NEGATIVE: list[tuple[str, Any, str, str]] = [
    ("1 sinceImagePulled + expire", policy(rule(1, "any", "sinceImagePulled", 30)), "E210", "rules[0].action.type"),
    (
        "2 sinceImageTransitioned without storageClass",
        policy(rule(1, "any", "sinceImageTransitioned", 90)),
        "E211",
        "rules[0].selection.storageClass",
    ),
    (
        "3 sinceImageTransitioned on standard",
        policy(rule(1, "any", "sinceImageTransitioned", 90, storage_class="standard")),
        "E211",
        "rules[0].selection.storageClass",
    ),
    (
        "4 sinceImageTransitioned + transition",
        policy(
            rule(1, "any", "sinceImageTransitioned", 90, storage_class="archive", action="transition", target="archive")
        ),
        "E212",
        "rules[0].action.type",
    ),
    (
        "5 transition without target",
        policy(rule(1, "any", "sinceImagePushed", 30, action="transition")),
        "E213",
        "rules[0].action.targetStorageClass",
    ),
    (
        "6 target other than archive",
        policy(rule(1, "any", "sinceImagePushed", 30, action="transition", target="standard")),
        "E106",
        "rules[0].action.targetStorageClass",
    ),
    (
        "7 imageCountMoreThan with countUnit",
        policy(rule(1, "any", "imageCountMoreThan", 5, unit="days")),
        "E203",
        "rules[0].selection.countUnit",
    ),
    (
        "8 since* without countUnit",
        _mutate(policy(rule(1, "any", "sinceImagePushed", 5)), "selection.countUnit", _DELETE),
        "E204",
        "rules[0].selection.countUnit",
    ),
    (
        "9 countUnit not days",
        policy(rule(1, "any", "sinceImagePushed", 5, unit="hours")),
        "E106",
        "rules[0].selection.countUnit",
    ),
    ("10 countNumber 0", policy(rule(1, "any", "imageCountMoreThan", 0)), "E202", "rules[0].selection.countNumber"),
    ("11 tagged with no list", policy(rule(1, "tagged")), "E205", "rules[0].selection"),
    (
        "12 untagged with a list",
        policy(rule(1, "untagged", prefixes=["x"])),
        "E206",
        "rules[0].selection.tagPrefixList",
    ),
    ("12 any with a list", policy(rule(1, "any", patterns=["x*"])), "E206", "rules[0].selection.tagPatternList"),
    ("13 both lists", policy(rule(1, "tagged", prefixes=["a"], patterns=["b*"])), "E207", "rules[0].selection"),
    (
        "14 five wildcards",
        policy(rule(1, "tagged", patterns=["test*1*2*3*4*5*6"])),
        "E208",
        "rules[0].selection.tagPatternList[0]",
    ),
    (
        "15 duplicate priority",
        policy(rule(1, "tagged", prefixes=["a"]), rule(1, "tagged", prefixes=["b"])),
        "E301",
        "rules[1].rulePriority",
    ),
    ("16 any not last", policy(rule(1, "any"), rule(2, "tagged", prefixes=["a"])), "E302", "rules[0].rulePriority"),
    (
        "17 two untagged in one class",
        policy(rule(1, "untagged", "sinceImagePushed", 1), rule(2, "untagged", "imageCountMoreThan", 3)),
        "E304",
        "rules[1].selection.tagStatus",
    ),
    ("18 more than 50 rules", policy(*[rule(i, "tagged", prefixes=[f"p{i}"]) for i in range(1, 52)]), "E306", "rules"),
    (
        "19 text over 30,720 chars",
        # Long descriptions, not long prefixes: a prefix longer than any tag is E218 on its own.
        policy(*[rule(i, "tagged", prefixes=[f"p{i}-"], description="x" * 700) for i in range(1, 50)]),
        "E307",
        "",
    ),
    (
        "20 null optional value",
        _mutate(policy(rule(1, "any")), "action.targetStorageClass", None),
        "E103",
        "rules[0].action.targetStorageClass",
    ),
    ("20 null description", _mutate(policy(rule(1, "any")), "description", None), "E103", "rules[0].description"),
    (
        "21 unknown property",
        _mutate(policy(rule(1, "any")), "selection.unknown", 1),
        "E102",
        "rules[0].selection.unknown",
    ),
    (
        "22 archive expiry before 90 days",
        policy(rule(1, "any", "sinceImageTransitioned", 89, storage_class="archive")),
        "E216",
        "rules[0].selection.countNumber",
    ),
    (
        "two any rules in one class",
        policy(rule(1, "any"), rule(2, "any", "sinceImagePushed", 3)),
        "E303",
        "rules[1].selection.tagStatus",
    ),
    (
        "archive class with a count rule",
        policy(rule(1, "any", "imageCountMoreThan", 3, storage_class="archive")),
        "E215",
        "rules[0].selection.storageClass",
    ),
    ("expire with a target", policy(rule(1, "any", target="archive")), "E214", "rules[0].action.targetStorageClass"),
    (
        "same prefix list twice",
        policy(rule(1, "tagged", prefixes=["a", "b"]), rule(2, "tagged", prefixes=["b", "a"])),
        "E305",
        "rules[1].selection.tagPrefixList",
    ),
    ("empty prefix string", policy(rule(1, "tagged", prefixes=[""])), "E209", "rules[0].selection.tagPrefixList[0]"),
    ("empty list", policy(rule(1, "tagged", patterns=[])), "E209", "rules[0].selection.tagPatternList"),
    ("priority 0", policy(rule(0, "any")), "E201", "rules[0].rulePriority"),
    (
        "count as string",
        _mutate(policy(rule(1, "any")), "selection.countNumber", "5"),
        "E104",
        "rules[0].selection.countNumber",
    ),
    (
        "count as boolean",
        _mutate(policy(rule(1, "any")), "selection.countNumber", True),
        "E104",
        "rules[0].selection.countNumber",
    ),
    (
        "count with a fraction",
        _mutate(policy(rule(1, "any")), "selection.countNumber", 5.0),
        "E104",
        "rules[0].selection.countNumber",
    ),
    (
        "missing tagStatus",
        _mutate(policy(rule(1, "any")), "selection.tagStatus", _DELETE),
        "E105",
        "rules[0].selection.tagStatus",
    ),
    ("upper-case enum", _mutate(policy(rule(1, "any")), "action.type", "EXPIRE"), "E106", "rules[0].action.type"),
    ("no rules", {"rules": []}, "E107", "rules"),
    ("rules not a list", {"rules": {}}, "E101", "rules"),
    ("not an object", [], "E100", ""),
    ("unknown top-level key", {"rules": [rule(1, "any")], "version": 1}, "E102", "version"),
    (
        "countNumber beyond 32 bits (10**400 once overflowed the preview)",
        policy(rule(1, "any", "imageCountMoreThan", 10**400)),
        "E217",
        "rules[0].selection.countNumber",
    ),
    ("rulePriority beyond 32 bits", policy(rule(2**31, "any")), "E217", "rules[0].rulePriority"),
    (
        "prefix longer than any tag",
        policy(rule(1, "tagged", prefixes=["v" * 129])),
        "E218",
        "rules[0].selection.tagPrefixList[0]",
    ),
    (
        "pattern needing more characters than any tag",
        policy(rule(1, "tagged", patterns=["*" + "a" * 129])),
        "E218",
        "rules[0].selection.tagPatternList[0]",
    ),
]


@pytest.mark.parametrize(("name", "doc", "code", "path"), NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_negative_vector_is_rejected_with_its_code_and_path(name: str, doc: Any, code: str, path: str) -> None:
    result = check_policy(doc)
    assert not result.ok
    assert result.policy is None
    matching = [f for f in result.errors if f.code == code]
    assert matching, f"expected {code}, got {[f.render() for f in result.errors]}"
    assert path in [f.path for f in matching]
    assert all(f.message for f in matching)


def test_all_errors_are_reported_at_once() -> None:
    doc = policy(
        rule(1, "any", "sinceImagePulled", 30),  # E210, and any not last (E302)
        rule(2, "tagged"),  # E205
        rule(3, "untagged", "imageCountMoreThan", 2, unit="days"),  # E203
    )
    codes = {f.code for f in check_policy(doc).errors}
    assert {"E210", "E302", "E205", "E203"} <= codes


def test_messages_name_the_rule_and_say_what_to_do() -> None:
    finding = next(f for f in check_policy(policy(rule(7, "any", "sinceImagePulled", 30, description="old"))).errors)
    assert finding.rule == "rule 7 ('old')"
    assert "transition" in finding.message
    assert finding.render().startswith("error E210 rules[0].action.type: rule 7 ('old'): ")


def test_duplicate_json_keys_are_rejected() -> None:
    from ecr_lifecycle.core.policy import check_policy_text

    text = (
        '{"rules":[{"rulePriority":1,"description":"duplicate keys in the selection object here",'
        '"selection":{"tagStatus":"tagged","tagPrefixList":["a"],"tagPrefixList":["b"],'
        '"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}'
    )
    result = check_policy_text(text)
    assert [f.code for f in result.errors] == ["E108"]


def test_length_limits_apply_to_the_rendered_text() -> None:
    from ecr_lifecycle.core.policy import checks
    from ecr_lifecycle.core.policy.render import render_policy

    def check_length(text: str) -> list[str]:
        return [f.code for c in checks.TEXT for f in c.run(text)]

    assert check_length('{"rules":[]}') == ["E308"]
    assert check_length("x" * 30_721) == ["E307"]
    assert check_length("x" * 30_720) == []
    # The smallest structurally valid policy already renders to at least 100 characters.
    smallest = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            }
        ]
    }
    result = check_policy(smallest)
    assert result.policy is not None and len(render_policy(result.policy)) >= 100
