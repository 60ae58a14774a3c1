"""The inventory's two parsers (the fast path for the common shape, the checked path for everything else)
agree: on every record the fast path accepts, it builds exactly what the checked path builds, and it
accepts nothing the checked path rejects."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_lifecycle.core.preview import inventory
from ecr_lifecycle.core.preview.inventory import InventoryError, parse_image, parse_inventory

_times = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "+00:00"),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["2026-01-01T00:00:00+00:00", " 1767225600 ", "yesterday", "", "nan", "1e400"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=1),
)
_strings = st.one_of(st.text(max_size=8), st.none(), st.integers(), st.booleans())
_tags = st.one_of(
    st.none(), st.lists(st.text(max_size=5), max_size=3), st.lists(_strings, max_size=2), st.text(max_size=3)
)
_sizes = st.one_of(
    st.integers(min_value=-5, max_value=2**64), st.booleans(), st.floats(), st.none(), st.text(max_size=3)
)
_status = st.one_of(
    st.none(), st.sampled_from(["ACTIVE", "ARCHIVED", "ACTIVATING", "active", "DELETED"]), st.integers()
)


@st.composite
def records(draw: st.DrawFn) -> Any:
    """Image records near the real shape: each field valid most of the time, anything at all sometimes."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "repositoryName": st.one_of(st.sampled_from(["a/b", "payments/api"]), _strings),
        "imageDigest": st.one_of(st.sampled_from(["sha256:1", "sha256:2"]), _strings),
        "imageTags": _tags,
        "imagePushedAt": _times,
        "imageSizeInBytes": _sizes,
        "imageStatus": _status,
        "lastRecordedPullTime": _times,
        "lastArchivedAt": st.one_of(st.none(), _times),
        "lastActivatedAt": st.one_of(st.none(), _times),
        "childImageDigests": st.one_of(st.none(), st.lists(st.text(max_size=4), max_size=2), _strings),
    }
    record = {}
    for key, strategy in fields.items():
        if draw(st.integers(0, 9)) > 1:  # present 80 % of the time
            record[key] = draw(strategy)
    if draw(st.integers(0, 49)) == 0:
        return draw(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2)))
    return record


def _fast(raw: Any) -> Any:
    try:
        return inventory._fast_image(raw)
    except (inventory._Unusual, KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None


@settings(max_examples=3000, deadline=None)
@given(records())
def test_fast_path_agrees_with_the_checked_path(raw: Any) -> None:
    try:
        checked = parse_image(raw, "x")
    except InventoryError:
        checked = None
    fast = _fast(raw)
    if fast is not None:
        assert checked is not None, f"the fast path accepted what the checked path rejects: {raw!r}"
        assert fast == checked
    # Whatever path a record takes, a whole inventory gets the checked verdict.
    doc = {"imageDetails": [raw]}
    if checked is None:
        try:
            parse_inventory(doc, "x")
        except InventoryError:
            pass
        else:
            raise AssertionError(f"accepted an invalid record: {raw!r}")
    else:
        assert parse_inventory(doc, "x") == [checked]


def test_the_fast_path_is_taken_for_the_common_shape() -> None:
    raw = {
        "repositoryName": "a/b",
        "imageDigest": "sha256:1",
        "imageTags": ["v1"],
        "imagePushedAt": "2026-01-01T00:00:00+00:00",
        "imageSizeInBytes": 10,
        "lastRecordedPullTime": 1767225600,
    }
    assert _fast(raw) is not None and _fast(raw) == parse_image(raw, "x")
