"""Inventories read a piece at a time, and previews paired with a forked copy of the process: the same
records, the same output byte for byte, and every failure ends in the one-process path with its messages."""

from __future__ import annotations

import io
import itertools
import json
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.synthetic import FLEET_POLICY, fleet_inventory
from ecr_lifecycle.app.policies import policy_for_preview
from ecr_lifecycle.cli import forking
from ecr_lifecycle.cli.forking import forked_pair
from ecr_lifecycle.core.preview import halves, pieces
from ecr_lifecycle.core.preview.fleet import FleetPreview, preview_fleet
from ecr_lifecycle.core.preview.guards import GuardReport
from ecr_lifecycle.core.preview.halves import Half, Swap, preview_in_halves
from ecr_lifecycle.core.preview.inventory import decode_inventory, load_inventory
from ecr_lifecycle.core.preview.pieces import cut
from ecr_lifecycle.core.preview.results import RepositoryPreview
from ecr_lifecycle.views.preview import markdown, write_json
from tests.helpers import record_forks
from tests.inprocess import invoke

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

NOW = 1_795_000_000.0
can_fork = pytest.mark.skipif(not forking._can_fork(), reason="needs Linux and two CPUs")
SINGLE = policy_for_preview(json.dumps(FLEET_POLICY), "policy.json")


def _write(path: Path, doc: Any, indent: int | None = None) -> Path:
    path.write_text(json.dumps(doc, indent=indent))
    return path


# --- pieces -------------------------------------------------------------------------------------------------

_hostile_text = st.sampled_from(['}, {"x": 1', '},{"', "}, {", "]}", '"imageDetails": [', "\\", "é", "}\n,\n{"])
_record = st.fixed_dictionaries(
    {
        "repositoryName": st.sampled_from(["a", "b/c", "d"]),
        "imageDigest": st.text(alphabet="0123456789abcdef", min_size=1, max_size=6).map(lambda s: "sha256:" + s),
        "imagePushedAt": st.sampled_from(["2026-01-01T00:00:00+00:00", "2026-02-01T10:00:00Z", 1767225600]),
    },
    optional={
        "imageTags": st.lists(st.one_of(_hostile_text, st.text(max_size=4)), max_size=3),
        "imageSizeInBytes": st.integers(min_value=0, max_value=10**9),
        "imageManifest": st.lists(st.fixed_dictionaries({"k": _hostile_text}), max_size=3),
        "nested": st.recursive(st.integers() | _hostile_text, lambda c: st.lists(c, max_size=2), max_leaves=4),
    },
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(_record, max_size=12),
    piece_bytes=st.integers(min_value=1, max_value=400),
    indent=st.sampled_from([None, 0, 2]),
    extra=st.sampled_from(["", ', "nextToken": "x"', ', "more": [{"a": 1}]']),
)
def test_a_file_read_in_pieces_gives_what_the_whole_file_gives(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[dict[str, Any]],
    piece_bytes: int,
    indent: int | None,
    extra: str,
) -> None:
    text = json.dumps({"imageDetails": records}, indent=indent, ensure_ascii=False)
    if extra:
        text = text.rstrip()[:-1] + extra + "}"
    path = tmp_path_factory.mktemp("inv") / "images.json"
    path.write_text(text)
    found = cut(str(path), piece_bytes)
    if found is not None:  # also with a key after the list: the piece holding "], ..." does not decode
        assert found[0].start == text.encode().index(b"[") and text.encode()[found[-1].stop] == ord("]")
    whole: list[Any] | str
    try:
        whole = decode_inventory(text.encode(), str(path))
    except Exception as exc:  # the very same error is expected below
        whole = str(exc)
    old = pieces.PIECE_BYTES
    pieces.PIECE_BYTES = piece_bytes
    try:
        try:
            got: list[Any] | str = load_inventory([str(path)])
        except Exception as exc:
            got = str(exc)
    finally:
        pieces.PIECE_BYTES = old
    assert got == whole


def test_large_files_are_cut_between_records_only(tmp_path: Path) -> None:
    doc = fleet_inventory(400, 7, NOW)
    path = _write(tmp_path / "images.json", doc, indent=4)
    found = cut(str(path), 3000)
    assert found is not None and len(found) > 10
    data = path.read_bytes()
    for before, after in itertools.pairwise(found):
        assert before.stop == after.start and data[before.stop] == ord(",")
    assert sum(p.size for p in found) - (len(found) - 1) == found[-1].stop - found[0].start + 1


def test_files_not_plainly_an_inventory_are_read_whole(tmp_path: Path) -> None:
    for name, text in {
        "bom": "\ufeff" + json.dumps({"imageDetails": []}),
        "list": "[]",
        "other-key-first": json.dumps({"nextToken": "x", "imageDetails": []}),
        "form-feed": "\f" + json.dumps({"imageDetails": []}),
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        assert cut(str(path), 1) is None, name
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert cut(str(fifo), 1) is None


# --- the pair of processes ----------------------------------------------------------------------------------


def _exchange(side: int, swap: Swap) -> tuple[int, int, bytes]:
    mine = bytes([side]) * (3_000_000 + side)  # more than a pipe holds, both ways at once
    theirs = bytes(swap(mine))
    return side, os.getpid(), theirs[:1] + len(theirs).to_bytes(4, "little")


@can_fork
def test_both_sides_swap_large_payloads_and_the_child_is_reaped() -> None:
    result = forked_pair(_exchange)
    assert result is not None
    (side0, pid0, got0), (side1, pid1, got1) = result
    assert (side0, side1) == (0, 1) and pid0 == os.getpid() != pid1
    assert got0 == b"\x01" + (3_000_001).to_bytes(4, "little")
    assert got1 == b"\x00" + (3_000_000).to_bytes(4, "little")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid1, os.WNOHANG)


@can_fork
@pytest.mark.parametrize("trouble", ["raises", "killed", "hangs-before-swap", "hangs-after-swap"])
def test_a_child_that_cannot_deliver_gives_none(trouble: str) -> None:
    parent = os.getpid()

    def work(side: int, swap: Swap) -> int:
        here = os.getpid() != parent
        if here and trouble == "raises":
            raise RuntimeError("child trouble")
        if here and trouble == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        if here and trouble == "hangs-before-swap":
            time.sleep(60)
        swap(b"x")
        if here and trouble == "hangs-after-swap":
            time.sleep(60)
        return side

    started = time.monotonic()
    assert forked_pair(work, patience=0.0) is None
    assert time.monotonic() - started < 30


@can_fork
def test_a_failure_on_this_side_propagates_and_leaves_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    children = record_forks(monkeypatch)

    def work(side: int, swap: Swap) -> int:
        if os.getpid() == parent:
            raise ValueError("here")
        time.sleep(60)
        return side

    with pytest.raises(ValueError, match="here"):
        forked_pair(work)
    assert children
    for pid in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


# --- the paired preview -------------------------------------------------------------------------------------


def _inventories(tmp_path: Path) -> list[tuple[str | None, str]]:
    """Two targets, three files (one a folder), images interleaved across the files."""
    doc = fleet_inventory(3000, 40, NOW)
    details = doc["imageDetails"]
    (tmp_path / "eu").mkdir()
    _write(tmp_path / "eu" / "a.json", {"imageDetails": details[:900]}, indent=2)
    _write(tmp_path / "eu" / "b.json", {"imageDetails": details[900:1800]})
    _write(tmp_path / "us.json", {"imageDetails": details[1800:]}, indent=1)
    return [("eu", str(tmp_path / "eu")), ("us", str(tmp_path / "us.json"))]


def _policies(target: str | None, repository: str) -> tuple[Any, str] | None:
    if repository.endswith("7"):
        return None  # unmanaged
    if target == "us" and repository.endswith("3"):
        policy = policy_for_preview(json.dumps({"rules": FLEET_POLICY["rules"][-1:]}), "us.json")
        return policy
    return SINGLE


def _serial(paths: list[tuple[str | None, str]], encode: bool) -> FleetPreview:
    images: dict[str | None, list[Any]] = {}
    for target, path in paths:
        images.setdefault(target, []).extend(load_inventory([path]))
    return preview_fleet(images, _policies, NOW, encode_results=encode)


def _outputs(result: FleetPreview) -> tuple[bytes, str]:
    out = io.BytesIO()
    guards = GuardReport((), ())
    write_json(result, NOW, 0.1, guards, out)
    return out.getvalue(), markdown(result, NOW, 0.1, guards)


@can_fork
@pytest.mark.parametrize("encode", [True, False])
def test_a_preview_in_two_processes_writes_what_one_process_writes(tmp_path: Path, encode: bool) -> None:
    paths = _inventories(tmp_path)
    paired = preview_in_halves(paths, _policies, NOW, forked_pair, encode, piece_bytes=20_000)
    assert paired is not None
    assert all(r.detached_from_decisions and not r.images for r in paired.repositories)
    serial = _serial(paths, encode)
    if encode:
        assert _outputs(paired) == _outputs(serial)
    else:  # no results were encoded: the Markdown report needs none, and JSON cannot be written from it
        assert _outputs(serial)[1] == markdown(paired, NOW, 0.1, GuardReport((), ()))
        with pytest.raises(ValueError, match="detached preview holds no decisions"):
            _outputs(paired)
    assert paired.unmanaged == serial.unmanaged and paired.unmanaged
    assert paired.totals() == serial.totals()


def test_a_detached_preview_keeps_what_the_output_needs(tmp_path: Path) -> None:
    result = _serial(_inventories(tmp_path), True)
    for r in result.repositories:
        back = RepositoryPreview.attach(r.detached())
        assert (back.target, back.repository, back.policy_text) == (r.target, r.repository, r.policy_text)
        assert back.aws_shape() == r.aws_shape() and back.impact == r.impact and back.unverified == r.unverified


@can_fork
def test_too_small_or_uncut_inventories_stay_in_one_process(tmp_path: Path) -> None:
    paths = _inventories(tmp_path)
    assert preview_in_halves(paths, _policies, NOW, forked_pair) is None  # well below two pieces' worth
    (tmp_path / "odd.json").write_text(json.dumps({"nextToken": "", "imageDetails": []}))
    assert halves.plan([*paths, (None, str(tmp_path / "odd.json"))], 20_000) is None


def _with_record(tmp_path: Path, record: dict[str, Any]) -> str:
    doc = fleet_inventory(3000, 40, NOW)
    doc["imageDetails"].append(record)
    return str(_write(tmp_path / "images.json", doc, indent=2))


@can_fork
@pytest.mark.parametrize(
    "change",
    [
        {"imagePushedAt": "2026-01-01T00:00:00"},  # naive: the checked path takes it as UTC
        {"imagePushedAt": "1767225600"},  # epoch as a string: the checked path takes it
        {"imageSizeInBytes": -1},  # refused by the checked path
    ],
)
def test_a_record_the_typed_path_does_not_take_sends_the_preview_to_one_process(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    record = {"repositoryName": "r-late", "imageDigest": "sha256:late", "imagePushedAt": 1.0, **change}
    path = _with_record(tmp_path, record)
    assert preview_in_halves([(None, path)], _policies, NOW, forked_pair, piece_bytes=20_000) is None


@can_fork
def test_a_digest_twice_across_the_sides_is_the_one_process_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = fleet_inventory(3000, 40, NOW)
    doc["imageDetails"].append(dict(doc["imageDetails"][0]))  # first and last piece: both sides read one
    path = _write(tmp_path / "images.json", doc, indent=2)
    policy = _write(tmp_path / "policy.json", FLEET_POLICY)
    assert preview_in_halves([(None, str(path))], _policies, NOW, forked_pair, piece_bytes=20_000) is None
    monkeypatch.setattr(pieces, "PIECE_BYTES", 20_000)
    out = invoke("preview", "--images", str(path), "--policy", str(policy), "--now", str(NOW), "--format", "json")
    repository = doc["imageDetails"][0]["repositoryName"]
    assert (out.code, out.stdout) == (1, "")
    assert out.stderr.strip() == f"error: repository {repository}: an image digest is listed more than once"


@can_fork
def test_the_command_line_previews_in_two_processes_and_prints_what_one_process_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "images.json", fleet_inventory(3000, 40, NOW), indent=2)
    policy = _write(tmp_path / "policy.json", FLEET_POLICY)
    argv = ["preview", "--images", str(path), "--policy", str(policy), "--now", str(NOW), "--format", "json"]
    alone = invoke(*argv)
    calls: list[int] = []
    real = halves.work_side

    def counted(side: int, *args: Any) -> Half | None:
        calls.append(side)
        return real(side, *args)

    monkeypatch.setattr(pieces, "PIECE_BYTES", 20_000)
    monkeypatch.setattr(halves, "work_side", counted)
    paired = invoke(*argv)
    assert calls == [0]  # this side ran here (the other in the child)
    assert paired == alone and alone.code == 0 and json.loads(alone.stdout)["repositories"]


@can_fork
def test_results_wait_in_unnamed_files_and_nothing_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _inventories(tmp_path)
    spill_dir = tmp_path / "tmp"
    spill_dir.mkdir()
    monkeypatch.setenv("TMPDIR", str(spill_dir))
    monkeypatch.setattr(tempfile, "tempdir", None)
    paired = preview_in_halves(paths, _policies, NOW, forked_pair, True, piece_bytes=20_000)
    assert paired is not None
    spilled = [r for r in paired.repositories if "spilled_results" in r.__dict__]
    assert len(spilled) == len(paired.repositories)  # both sides wrote theirs to a file, none held them
    assert _outputs(paired) == _outputs(_serial(paths, True))
    assert list(spill_dir.iterdir()) == []  # unnamed files: nothing to clean up
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # no folder to write to
    assert preview_in_halves(paths, _policies, NOW, forked_pair, True, piece_bytes=20_000) is None
