"""Bounded input, strict YAML, symlink-safe state paths and all-or-nothing mission creation."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from spec_kitty_identity import (
    InputRejected,
    MissionSlugError,
    StatePathError,
    atomic_write_text,
    check_text,
    connect_readonly,
    create_mission,
    decode_utf8,
    guard_sqlite_path,
    guard_state_path,
    list_missions,
    load_yaml,
    loads_json,
    read_bounded,
    resolve_mission,
    validate_mission_slug,
)


def reason_of(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InputRejected) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.code == "INPUT_REJECTED"
    assert info.value.details["reason"] == info.value.reason
    return info.value.reason


def test_loads_json_bounds() -> None:
    assert loads_json('{"a": [1, {"b": "[[[["}]}') == {"a": [1, {"b": "[[[["}]}
    assert reason_of(loads_json, "[" * 65 + "]" * 65) == "too_deep"
    assert reason_of(loads_json, "[" * 100_000) == "too_deep"
    assert reason_of(loads_json, '"' + "x" * 20 + '"', max_bytes=10) == "too_large"
    assert reason_of(loads_json, b'"\xff"') == "not_utf8"
    assert reason_of(loads_json, '{"\\ud800": 1}') == "not_utf8"
    assert reason_of(loads_json, '["ok", "\\udfff"]') == "not_utf8"
    assert reason_of(loads_json, "\udcff") == "not_utf8"
    with pytest.raises(ValueError):
        loads_json("{nope")


def test_check_text_and_decode() -> None:
    assert check_text("ann") == "ann"
    assert reason_of(check_text, "a" * 300) == "too_long"
    assert reason_of(check_text, b"\xff".decode("utf-8", "surrogateescape")) == "not_utf8"
    assert decode_utf8(b"ok") == "ok"
    assert reason_of(decode_utf8, b"\xc3") == "not_utf8"


def test_read_bounded(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"12345")
    assert read_bounded(small, 5) == b"12345"
    assert reason_of(read_bounded, small, 4) == "too_large"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert reason_of(read_bounded, fifo) == "not_a_file"
    assert reason_of(read_bounded, tmp_path) == "not_a_file"
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing")


def test_strict_yaml_refuses_duplicates_naming_the_key() -> None:
    with pytest.raises(InputRejected) as info:
        load_yaml("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert info.value.reason == "duplicate_key" and info.value.key == "c"
    assert "lines 3 and 4" in info.value.message
    # merge keys are an override, not a duplicate; otherwise safe_load semantics
    assert load_yaml("x: &x {a: 1}\ny: {<<: *x, b: 2}\n") == {"x": {"a": 1}, "y": {"a": 1, "b": 2}}
    assert load_yaml("- 1\n- [2, 3]\n") == [1, [2, 3]]
    with pytest.raises(Exception, match="could not determine a constructor"):
        load_yaml("!!python/object:os.system {}\n")


def test_strict_yaml_bounds_depth_and_alias_bombs() -> None:
    assert reason_of(load_yaml, "[" * 100_000 + "]" * 100_000) == "too_deep"
    assert reason_of(load_yaml, "- " * 70 + "x\n") == "too_deep"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdef", "abcde", strict=True):
        bomb += f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n"
    assert reason_of(load_yaml, bomb) == "too_large"
    deep_alias = "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30
    assert reason_of(load_yaml, deep_alias) == "too_deep"
    assert load_yaml("k: &v [1]\nl: *v\n") == {"k": [1], "l": [1]}


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / ".kittify").mkdir(parents=True)
    return root


def test_guard_state_path(tmp_path: Path) -> None:
    root = project(tmp_path)
    inside = root / "kitty-specs" / "m" / "status.json"
    assert guard_state_path(inside) == inside
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    link = root / "link.json"
    link.symlink_to(outside)
    with pytest.raises(StatePathError) as info:
        guard_state_path(link)
    assert info.value.code == "STATE_PATH_OUTSIDE_PROJECT"
    assert info.value.details["file"] == str(link)
    with pytest.raises(StatePathError):
        atomic_write_text(link, "x")
    assert outside.read_text() == "{}"
    folder_link = root / "state"
    folder_link.symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(StatePathError):
        guard_sqlite_path(folder_link / "events.db")
    # per-user state (no project above) is not restricted
    assert guard_state_path(tmp_path / "user" / "node.json") == tmp_path / "user" / "node.json"


def test_connect_readonly_reads_and_never_creates(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    ro = connect_readonly(db)
    assert ro.execute("SELECT x FROM t").fetchall() == [(1,)]
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("INSERT INTO t VALUES (2)")
    ro.close()
    with pytest.raises(sqlite3.Error):
        connect_readonly(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


def test_slugs_and_selectors_are_bounded(tmp_path: Path) -> None:
    with pytest.raises(MissionSlugError) as info:
        validate_mission_slug("a" * 201)
    assert info.value.details["reason"] == "too_long"
    root = project(tmp_path)
    from spec_kitty_identity import MissionNotFoundError

    with pytest.raises(MissionNotFoundError) as found:
        resolve_mission(root, "a" * 5000)
    assert found.value.details["reason"] == "too_long"


def test_create_mission_rolls_back_when_populate_or_publish_fails(tmp_path: Path) -> None:
    root = project(tmp_path)

    def populate(staging: Path, identity: object) -> None:
        (staging / "spec.md").write_text("x")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        create_mission(
            root, title="One", mission_type="software-dev", target_branch="main", populate=populate
        )
    assert not [p for p in (root / "kitty-specs").iterdir()]

    def publish(ref: object) -> None:
        raise RuntimeError("queue unavailable")

    with pytest.raises(RuntimeError):
        create_mission(
            root, title="One", mission_type="software-dev", target_branch="main", publish=publish
        )
    assert not [p for p in (root / "kitty-specs").iterdir()]
    seen: list[str] = []
    ref = create_mission(
        root,
        title="One",
        mission_type="software-dev",
        target_branch="main",
        publish=lambda r: seen.append(r.slug),
    )
    assert seen == ["001-one"] and [m.slug for m in list_missions(root)] == ["001-one"]
    with pytest.raises(MissionSlugError):
        create_mission(
            root, title="x", mission_type="software-dev", target_branch="main", slug=ref.slug
        )
