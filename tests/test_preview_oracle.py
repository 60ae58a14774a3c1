"""The optimised engine decides exactly what the reference model (the straightforward reading) decides.

Generated repositories hit what the optimisations could get wrong: push-time ties (broken by digest),
restored images (``lastActivatedAt`` reorders the count windows), archived and activating images, image
indexes (children protected, nested indexes), tag sets repeated across images (the classifier's memo) and
the same policy evaluated over many repositories.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_lifecycle.core.policy import check_policy
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.preview import engine
from ecr_lifecycle.core.preview.inventory import Image, Status
from tests import preview_oracle
from tests.helpers import at
from tests.strategies import valid_policies

NOW = 1_800_000_000.0
DAY = 86_400.0

_TAGS = st.lists(
    st.sampled_from(["v1.0", "v1.2", "v2.1", "main-1", "feature-x", "prod", "prod-2", "beta-3", "alpha-2", "a", "b"]),
    max_size=3,
    unique=True,
)


@st.composite
def repositories(draw: st.DrawFn) -> list[Image]:
    count = draw(st.integers(0, 30))
    digests = draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count, unique=True))
    # Few distinct ages, so pushes tie often.
    ages = st.sampled_from([0.5, 3, 8, 15, 40, 100, 400]) | st.floats(0, 400)
    images = []
    for digest in digests:
        status: Status = draw(st.sampled_from(["ACTIVE"] * 6 + ["ARCHIVED", "ACTIVATING"]))
        archived = status == "ARCHIVED"
        images.append(
            Image(
                "r",
                f"sha256:{digest:05d}",
                at(NOW - draw(ages) * DAY),
                tuple(draw(_TAGS)),
                draw(st.integers(0, 10**9)),
                None if status == "ACTIVE" else status,
                last_pulled_at=draw(st.none() | ages.map(lambda a: at(NOW - a * DAY))),
                last_archived_at=draw(st.none() | ages.map(lambda a: at(NOW - a * DAY))) if archived else None,
                last_activated_at=draw(st.none() | st.sampled_from([at(NOW - 2 * DAY), at(NOW - 20 * DAY)]))
                if not archived and draw(st.integers(0, 4)) == 0
                else None,
            )
        )
    # Some images become indexes of others (possibly of other indexes: nesting).
    named = [i.digest for i in images]
    for n, image in enumerate(images):
        if named and draw(st.integers(0, 5)) == 0:
            children = tuple(draw(st.lists(st.sampled_from(named), max_size=3, unique=True)))
            images[n] = msgspec.structs.replace(image, children=tuple(c for c in children if c != image.digest))
    return images


def _policy(doc: dict[str, Any]) -> Policy:
    result = check_policy(doc)
    assert result.policy is not None
    return result.policy


def _decisions(decisions: list[Any]) -> list[tuple[str, int]]:
    return [(d.image.digest, d.rule.rule_priority) for d in decisions]


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_policies(), st.lists(repositories(), min_size=1, max_size=3), st.sampled_from([NOW, NOW + 30 * DAY]))
def test_the_engine_decides_what_the_reference_model_decides(
    doc: dict[str, Any], repos: list[list[Image]], now: float
) -> None:
    policy = _policy(doc)
    for images in repos:  # one policy over several repositories: the memo carries over
        expected = _decisions(preview_oracle.evaluate(policy, images, now))
        assert _decisions(engine.evaluate(policy, images, now)) == expected
        assert _decisions(engine.evaluate(policy, list(reversed(images)), now)) == expected
