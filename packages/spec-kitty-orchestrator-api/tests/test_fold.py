"""The fold and the read commands' status cache give exactly the full reducer's result."""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec_kitty_identity import LANES
from spec_kitty_orchestrator_api import StatusLogError
from spec_kitty_orchestrator_api import _statecache as sc
from spec_kitty_orchestrator_api._fold import Fold
from spec_kitty_orchestrator_api._log import encode, read_log
from spec_kitty_orchestrator_api._reduce import reduce_events

MID = "01J00000000000000000000000"
AT = [f"2026-01-01T00:00:0{n}.000000+00:00" for n in range(6)]


def move(eid: str, wp: str, at: str, to: str, frm: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": eid,
        "wp_id": wp,
        "at": at,
        "actor": f"agent-{eid}",
        "to_lane": to,
        "from_lane": frm,
        "force": bool(extra.pop("force", False)),
        "mission_slug": "m",
        **extra,
    }


def note(eid: str, wp: str, at: str, text: Any) -> dict[str, Any]:
    delta = {"note": text} if text is not None else {"other": 1}
    return {
        "kind": "annotation",
        "event_id": eid,
        "wp_id": wp,
        "at": at,
        "actor": "a",
        "delta": delta,
    }


moves = st.builds(
    move,
    st.sampled_from([f"E{n}" for n in range(40)]),
    st.sampled_from(["WP01", "WP02", "WP03"]),
    st.sampled_from(AT),
    st.sampled_from(LANES),
    st.sampled_from([None, *LANES]),
    force=st.booleans(),
    reason=st.sampled_from(["r1", "r2"]),
)
notes = st.builds(
    note,
    st.sampled_from([f"N{n}" for n in range(15)]),
    st.sampled_from(["WP01", "WP02", "WP04"]),
    st.sampled_from(AT),
    st.sampled_from([None, "n1", "n2", "n3"]),
)
records = st.lists(st.one_of(moves, moves, notes), max_size=60)


def full(records: list[dict[str, Any]]) -> Any:
    return reduce_events(
        [r for r in records if r.get("kind") is None],
        [r for r in records if r.get("kind") == "annotation"],
    )


def mission(root: Path) -> Path:
    folder = root / "kitty-specs" / "001-m"
    folder.mkdir(parents=True, exist_ok=True)
    (root / ".kittify").mkdir(exist_ok=True)
    return folder


def log_of(folder: Path) -> Path:
    return folder / "status.events.jsonl"


def append(folder: Path, recs: list[dict[str, Any]]) -> None:
    with log_of(folder).open("a", encoding="utf-8") as out:
        out.write("".join(encode(r) for r in recs))


def read(root: Path, folder: Path) -> Any:
    return sc.read_reduced(root, folder, MID)[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_incremental_equals_full_reduce(recs: list[dict[str, Any]], cuts: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = mission(root)
        log_of(folder).touch()
        points = sorted({0, *(min(c, len(recs)) for c in cuts), len(recs)})
        for a, b in itertools.pairwise(points):
            append(folder, recs[a:b])
            assert read(root, folder) == full(recs[:b])
        assert read(root, folder) == full(recs)


@given(records, st.randoms())
def test_fold_is_order_independent(recs: list[dict[str, Any]], rnd: Any) -> None:
    unique = list({r["event_id"]: r for r in reversed(recs)}.values())  # one line per event id
    rnd.shuffle(unique)
    fold = Fold()
    for r in unique:
        fold.add(r)
    assert fold.reduced() == full(unique)
    assert Fold.from_json(json.loads(json.dumps(fold.to_json()))).reduced() == fold.reduced()


class Counting:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = sc._full

        def counted(path: Path) -> Any:
            self.calls += 1
            return real(path)

        monkeypatch.setattr(sc, "_full", counted)


def seeded(tmp_path: Path, n: int = 30) -> tuple[Path, list[dict[str, Any]]]:
    folder = mission(tmp_path)
    recs = [
        move(
            f"E{i:03d}",
            f"WP{i % 4:02d}",
            f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00",
            LANES[i % len(LANES)],
            None,
        )
        for i in range(n)
    ]
    append(folder, recs)
    return folder, recs


def later(i: int) -> dict[str, Any]:
    return move(f"F{i:03d}", "WP01", f"2026-02-01T00:00:{i:02d}+00:00", "claimed", "planned")


def test_appends_are_folded_without_a_full_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, recs = seeded(tmp_path)
    count = Counting(monkeypatch)
    assert read(tmp_path, folder) == full(recs)
    assert count.calls == 1
    assert sc.cache_path(tmp_path, MID).is_file()
    new = [later(1), later(2), note("N1", "WP02", "2026-02-01T00:00:03+00:00", "hi")]
    append(folder, new)
    assert read(tmp_path, folder) == full(recs + new)
    assert read(tmp_path, folder) == full(recs + new)
    assert count.calls == 1


def test_an_append_that_sorts_earlier_reads_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, recs = seeded(tmp_path)
    read(tmp_path, folder)
    count = Counting(monkeypatch)
    old = move("Z", "WP02", "2025-01-01T00:00:00+00:00", "done", "planned")
    append(folder, [old])
    assert read(tmp_path, folder) == full([*recs, old])
    assert count.calls == 1


@pytest.mark.parametrize("change", ["truncate", "same_size", "inode", "regrow", "corrupt_cache"])
def test_changed_log_or_cache_reads_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    folder, recs = seeded(tmp_path, 10)
    read(tmp_path, folder)
    count = Counting(monkeypatch)
    path = log_of(folder)
    lines = path.read_bytes().splitlines(keepends=True)
    expected = recs
    if change == "truncate":
        path.write_bytes(b"".join(lines[:5]))
        expected = recs[:5]
    elif change == "same_size":  # rewritten in place, same length: the guard tells
        with path.open("r+b") as handle:
            data = handle.read().replace(b'"to_lane":"planned"', b'"to_lane":"claimed"')
            handle.seek(0)
            handle.write(data)
        expected = [{**r, "to_lane": "claimed"} if r["to_lane"] == "planned" else r for r in recs]
    elif change == "inode":  # replaced by a copy that then grows
        tmp = path.with_suffix(".new")
        tmp.write_bytes(path.read_bytes())
        os.replace(tmp, path)
        append(folder, [later(1)])
        expected = [*recs, later(1)]
    elif change == "regrow":  # truncated, then longer than before with other lines
        other = [later(i) for i in range(20)]
        path.write_bytes(b"".join(encode(r).encode() for r in other))
        expected = other
    else:
        for garbage in ("{not json", json.dumps({"version": 1, "cover": {}, "fold": []})):
            sc.cache_path(tmp_path, MID).write_text(garbage)
            assert read(tmp_path, folder) == full(recs)
    assert read(tmp_path, folder) == full(expected)
    assert count.calls >= 1
    assert read(tmp_path, folder) == full(expected)


def test_errors_come_from_the_full_reader(tmp_path: Path) -> None:
    folder, _ = seeded(tmp_path, 5)
    read(tmp_path, folder)
    with log_of(folder).open("a") as out:
        out.write('{"event_id": 1}\n')
    with pytest.raises(StatusLogError) as got:
        read(tmp_path, folder)
    with pytest.raises(StatusLogError) as want:
        read_log(log_of(folder))
    assert got.value.details == want.value.details
    assert got.value.details["line"] == 6


def test_torn_tail_is_reported_and_not_cached(tmp_path: Path) -> None:
    folder, recs = seeded(tmp_path, 5)
    read(tmp_path, folder)
    with log_of(folder).open("a") as out:
        out.write('{"event_id": "torn"')
    reduced, log = sc.read_reduced(tmp_path, folder, MID)
    assert reduced == full(recs)
    assert log.warnings() == read_log(log_of(folder)).warnings() != []


def test_unterminated_complete_line_counts(tmp_path: Path) -> None:
    folder, recs = seeded(tmp_path, 5)
    read(tmp_path, folder)
    with log_of(folder).open("a") as out:
        out.write(encode(later(1)).rstrip("\n"))
    reduced, log = sc.read_reduced(tmp_path, folder, MID)
    assert reduced == full([*recs, later(1)])
    assert log.needs_newline


def test_missing_log_and_unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = mission(tmp_path)
    assert read(tmp_path, folder) == reduce_events([])
    folder, recs = seeded(tmp_path, 5)

    def refuse(*_: Any, **__: Any) -> None:
        raise OSError("read-only")

    monkeypatch.setattr("spec_kitty_identity.atomic_write_text", refuse)
    assert read(tmp_path, folder) == full(recs)
    assert not sc.cache_path(tmp_path, MID).exists()
