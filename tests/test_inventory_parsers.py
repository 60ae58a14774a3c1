"""The inventory's two parsers (the typed path for JSON bytes, the checked path for everything else) agree:
on every record the typed path accepts, it builds exactly what the checked path builds, and it accepts
nothing the checked path rejects."""

from __future__ import annotations

import json
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_lifecycle.core.preview import inventory
from ecr_lifecycle.core.preview.inventory import InventoryError, decode_inventory, load_inventory, parse_image

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


_VALID: dict[str, st.SearchStrategy[Any]] = {
    "repositoryName": st.sampled_from(["a/b", "payments/api"]),
    "imageDigest": st.sampled_from(["sha256:1", "sha256:2"]),
    "imagePushedAt": st.one_of(
        st.integers(min_value=0, max_value=253_402_300_799),
        st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(lambda d: d.isoformat()),
    ),
    "imageTags": st.lists(st.text(max_size=5), max_size=3),
    "imageSizeInBytes": st.integers(min_value=0, max_value=2**63 - 1),
    "imageStatus": st.sampled_from(["ACTIVE", "ARCHIVED", "ACTIVATING"]),
    "lastRecordedPullTime": st.integers(min_value=0, max_value=253_402_300_799),
    "lastArchivedAt": st.integers(min_value=0, max_value=253_402_300_799),
    "lastActivatedAt": st.integers(min_value=0, max_value=253_402_300_799),
    "childImageDigests": st.lists(st.text(max_size=4), max_size=2),
}
_ANYTHING: dict[str, st.SearchStrategy[Any]] = {
    "repositoryName": _strings,
    "imageDigest": _strings,
    "imagePushedAt": _times,
    "imageTags": _tags,
    "imageSizeInBytes": _sizes,
    "imageStatus": _status,
    "lastRecordedPullTime": _times,
    "lastArchivedAt": st.one_of(st.none(), _times),
    "lastActivatedAt": st.one_of(st.none(), _times),
    "childImageDigests": st.one_of(st.none(), st.lists(st.text(max_size=4), max_size=2), _strings),
}


@st.composite
def records(draw: st.DrawFn) -> Any:
    """Image records near the real shape: each field present most of the time, valid most of the time
    (so that records with exactly one wrong field are common), anything at all otherwise."""
    if draw(st.integers(0, 49)) == 0:
        return draw(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2)))
    record = {}
    for key in _VALID:
        required = key in ("repositoryName", "imageDigest", "imagePushedAt")
        if required or draw(st.integers(0, 9)) > 3:
            record[key] = draw(_VALID[key] if draw(st.integers(0, 9)) > 1 else _ANYTHING[key])
    return record


def _typed(raw: Any) -> Any:
    """What the typed path alone makes of one record (None: it hands the file to the checked path)."""
    try:
        return inventory._typed(json.dumps({"imageDetails": [raw]}, allow_nan=True).encode())[0]
    except (msgspec.DecodeError, inventory._Irregular, OverflowError, ValueError):
        return None


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(records())
def test_typed_path_agrees_with_the_checked_path(raw: Any) -> None:
    try:
        checked = parse_image(raw, "x")
    except InventoryError:
        checked = None
    typed = _typed(raw)
    if typed is not None:
        assert checked is not None, f"the typed path accepted what the checked path rejects: {raw!r}"
        assert typed == checked
    # Whatever path a record takes, a whole inventory gets the checked verdict.
    text = json.dumps({"imageDetails": [raw]}, allow_nan=True).encode()
    if checked is None:
        try:
            decode_inventory(text, "x")
        except InventoryError:
            pass
        else:
            raise AssertionError(f"accepted an invalid record: {raw!r}")
    else:
        assert decode_inventory(text, "x") == [checked]


def test_the_typed_path_is_taken_for_the_common_shape() -> None:
    raw = {
        "repositoryName": "a/b",
        "imageDigest": "sha256:1",
        "imageTags": ["v1"],
        "imagePushedAt": "2026-01-01T00:00:00+00:00",
        "imageSizeInBytes": 10,
        "lastRecordedPullTime": 1767225600,
        "imageScanStatus": {"status": "COMPLETE"},  # fields we do not read are skipped
    }
    assert _typed(raw) is not None and _typed(raw) == parse_image(raw, "x")


def test_a_file_with_an_irregular_record_gets_the_checked_paths_images(tmp_path: Path) -> None:
    # The typed path lets the file's bytes go before building images; a naive time sends it back to the file.
    records: list[dict[str, Any]] = [
        {"repositoryName": "a", "imageDigest": "sha256:1", "imagePushedAt": "2026-01-01T00:00:00+00:00"},
        {"repositoryName": "b", "imageDigest": "sha256:2", "imagePushedAt": "2026-01-02T00:00:00"},
        {"repositoryName": "a", "imageDigest": "sha256:3", "imagePushedAt": 1767225600, "imageTags": ["x"]},
    ]
    raw = json.dumps({"imageDetails": records}).encode()
    path = tmp_path / "images.json"
    path.write_bytes(raw)
    loaded = load_inventory([str(path)])
    by_digest = attrgetter("digest")
    checked = sorted((parse_image(r, "x") for r in records), key=by_digest)
    assert sorted(loaded, key=by_digest) == sorted(decode_inventory(raw, "x"), key=by_digest) == checked
    records[1]["imageSizeInBytes"] = -1
    path.write_text(json.dumps({"imageDetails": records}))
    with pytest.raises(InventoryError, match=r"imageDetails\[1\]\.imageSizeInBytes"):
        load_inventory([str(path)])


def test_the_typed_path_groups_images_by_repository(tmp_path: Path) -> None:
    records = [
        {"repositoryName": f"r{n % 3}", "imageDigest": f"sha256:{n}", "imagePushedAt": 1767225600 + n} for n in range(9)
    ]
    path = tmp_path / "images.json"
    path.write_text(json.dumps({"imageDetails": records}))
    loaded = load_inventory([str(path)])
    assert [i.repository for i in loaded] == ["r0"] * 3 + ["r1"] * 3 + ["r2"] * 3
    assert [i.digest for i in loaded[:3]] == ["sha256:0", "sha256:3", "sha256:6"]  # file order within one
