"""A second implementation: moto's ECR validator (looser than AWS, and without archive features).

Every pre-archive policy we accept, moto accepts too. Where moto is looser, the cases
are pinned here so a moto upgrade that changes them is noticed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from moto import mock_aws

from ecr_lifecycle.core.policy import check_policy, render_policy
from tests.strategies import valid_policies
from tests.test_policy_corpus import CORPUS, VERDICTS
from tests.test_policy_vectors import ACCEPTED, NEGATIVE

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

ARCHIVE_MARKERS = ("storageClass", "sinceImagePulled", "sinceImageTransitioned", "transition", "targetStorageClass")


def _pre_archive(doc: Any) -> bool:
    text = json.dumps(doc)
    return not any(marker in text for marker in ARCHIVE_MARKERS)


@pytest.fixture(scope="module")
def ecr() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
        client.create_repository(repositoryName="agreement")
        yield client


def moto_accepts(ecr: Any, text: str) -> bool:
    try:
        ecr.put_lifecycle_policy(repositoryName="agreement", lifecyclePolicyText=text)
    except ecr.exceptions.InvalidParameterException:
        return False
    except Exception as exc:  # moto raises 500s on some malformed input; that is not acceptance
        if "ParamValidationError" in type(exc).__name__:
            raise
        return False
    return True


def _accepted_documents() -> list[tuple[str, Any]]:
    docs = [(f"vector: {k}", v) for k, v in ACCEPTED.items()]
    for name, verdict in sorted(VERDICTS.items()):
        if verdict == "valid":
            with open(os.path.join(CORPUS, name), encoding="utf-8") as fh:
                docs.append((f"corpus: {name}", json.load(fh)))
    return [(n, d) for n, d in docs if _pre_archive(d)]


@pytest.mark.parametrize(("name", "doc"), _accepted_documents(), ids=[n for n, _ in _accepted_documents()])
def test_moto_accepts_what_we_accept(ecr: Any, name: str, doc: Any) -> None:
    result = check_policy(doc)
    assert result.policy is not None
    assert moto_accepts(ecr, render_policy(result.policy))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_policies(archive=False))
def test_moto_accepts_generated_pre_archive_policies(ecr: Any, doc: dict[str, Any]) -> None:
    result = check_policy(doc)
    assert result.policy is not None
    assert moto_accepts(ecr, render_policy(result.policy))


# Negative vectors (AWS rejects them) that moto nevertheless accepts.
MOTO_LOOSER = {
    "7 imageCountMoreThan with countUnit",
    "8 since* without countUnit",
    "11 tagged with no list",
    "12 untagged with a list",
    "12 any with a list",
    "13 both lists",
    "14 five wildcards",
    "15 duplicate priority",
    "16 any not last",
    "17 two untagged in one class",
    "18 more than 50 rules",
    "19 text over 30,720 chars",
    "two any rules in one class",
    "same prefix list twice",
    "empty prefix string",
    "empty list",
    "priority 0",
    "unknown top-level key",
    "20 null description",
    "count with a fraction",
    "count as boolean",
    "rulePriority beyond 32 bits",
    "countNumber beyond 32 bits (10**400 once overflowed the preview)",
    "prefix longer than any tag",
    "pattern needing more characters than any tag",
}


def test_where_moto_is_looser_than_aws(ecr: Any) -> None:
    looser = set()
    for name, doc, _code, _path in NEGATIVE:
        text = json.dumps(doc)
        if len(text) < 100:
            continue  # botocore refuses short texts before moto sees them
        if moto_accepts(ecr, text):
            looser.add(name)
    assert looser == MOTO_LOOSER
