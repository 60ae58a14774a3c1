"""The validator's verdict on 56 real policies matches the verdict AWS gave or would give (PROVENANCE.md)."""

from __future__ import annotations

import os
import re

import pytest

from ecr_lifecycle.core.policy import check_policy_text

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "real-policies")

# For the invalid ones: the codes we must report (AWS's reason, in our words).
EXPECTED_ERRORS = {
    "042": {"E303", "E302"},  # two any rules in the standard class
    "043": {"E211"},  # sinceImageTransitioned without storageClass archive
    "044": {"E106"},  # countType imageSincePublished
    "045": {"E303", "E302"},
    "046": {"E302"},  # any rule first
    "047": {"E304"},  # two untagged rules
    "048": {"E205"},  # tagged without a list
    "049": {"E105"},  # no tagStatus
    "050": {"E209"},  # uncertain in the corpus: empty-string prefix; we reject (the safe side)
    "051": {"E205"},
    "052": {"E303", "E302"},
    "053": {"E205", "E210"},
    "054": {"E203"},  # countUnit with imageCountMoreThan
    "055": {"E103"},  # explicit nulls
    "056": {"E213", "E211"},
}


def _verdicts() -> dict[str, str]:
    with open(os.path.join(CORPUS, "PROVENANCE.md"), encoding="utf-8") as fh:
        rows = [line for line in fh if line.startswith("| `")]
    out = {}
    for row in rows:
        name = re.search(r"`([^`]+\.json)`", row)
        assert name
        verdict = row.rstrip().rstrip("|").rsplit("|", 1)[-1].strip()
        out[name.group(1)] = verdict.split()[0].rstrip(":")
    return out


VERDICTS = _verdicts()


def test_the_index_lists_all_56_policies() -> None:
    assert len(VERDICTS) == 56
    assert sorted(VERDICTS) == sorted(n for n in os.listdir(CORPUS) if n.endswith(".json"))


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdict_matches_aws(name: str) -> None:
    with open(os.path.join(CORPUS, name), encoding="utf-8") as fh:
        result = check_policy_text(fh.read())
    verdict = VERDICTS[name]
    if verdict == "valid":
        assert result.ok, [f.render() for f in result.errors]
    else:
        assert verdict in ("invalid", "uncertain")
        assert not result.ok
        assert EXPECTED_ERRORS[name[:3]] <= {f.code for f in result.errors}


def test_and_matched_lists_are_flagged_where_the_index_says_so() -> None:
    for name, verdict in VERDICTS.items():
        if verdict != "valid":
            continue
        with open(os.path.join(CORPUS, name), encoding="utf-8") as fh:
            result = check_policy_text(fh.read())
        row_says_and = name[:3] in {"012", "015", "016", "022", "027", "030", "036"}
        if row_says_and:
            assert "W001" in {w.code for w in result.warnings}, name
