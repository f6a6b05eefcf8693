from __future__ import annotations

import time
from pathlib import Path

import pytest
import ulid as reference
from hypothesis import given
from hypothesis import strategies as st

import spec_kitty_identity
from spec_kitty_identity import atomic_write_text, new_ulid
from spec_kitty_identity._atomic import create_exclusive_text
from spec_kitty_identity._ulid import is_ulid, ulid_timestamp_ms


@given(st.integers(min_value=0, max_value=2**48 - 1))
def test_ulid_matches_python_ulid(ms: int) -> None:
    text = new_ulid(timestamp_ms=ms)
    parsed = reference.ULID.from_str(text)
    assert int(parsed.milliseconds) == ms
    assert str(parsed) == text
    assert is_ulid(text)
    assert ulid_timestamp_ms(text) == ms


def test_ulid_now_sorts_and_is_unique() -> None:
    before = int(time.time() * 1000)
    ids = [new_ulid() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ulid_timestamp_ms(ids[0]) >= before - 1
    for bad in ("", "x" * 26, "8" + "0" * 25, "01KZYV3CT68WBACF0MJ323YF7I", 5):
        assert not is_ulid(bad)


def test_atomic_write_replaces_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]


def test_atomic_write_failure_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "w" / "f.txt"
    atomic_write_text(target, "old")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    from spec_kitty_identity import StateWriteError

    with pytest.raises(StateWriteError) as info:  # structured, naming the file (exit 1)
        atomic_write_text(target, "new")
    assert info.value.details["file"] == str(target)
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_exclusive_create(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    assert create_exclusive_text(target, "first")
    assert not create_exclusive_text(target, "second")
    assert target.read_text() == "first"


def test_public_api_and_version() -> None:
    assert spec_kitty_identity.__all__ == sorted(spec_kitty_identity.__all__)
    for name in spec_kitty_identity.__all__:
        assert getattr(spec_kitty_identity, name) is not None
    assert spec_kitty_identity.__version__ == "4.0.0"
    with pytest.raises(AttributeError):
        _ = spec_kitty_identity.nope  # type: ignore[attr-defined]


def test_atomic_write_keeps_or_derives_the_file_mode(tmp_path: Path) -> None:
    import os
    import stat

    fresh = tmp_path / "fresh.txt"
    old = os.umask(0o022)
    try:
        atomic_write_text(fresh, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    secret = tmp_path / "secret.txt"
    secret.write_text("s")
    secret.chmod(0o600)
    atomic_write_text(secret, "t")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == "t"


def test_atomic_write_needs_no_tempfile_and_leaves_no_temp(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "state" / "clock.json"
    code = (
        "import sys; from pathlib import Path; from spec_kitty_identity import atomic_write_text;"
        f"atomic_write_text(Path({str(target)!r}), 'one'); atomic_write_text(Path({str(target)!r}), 'two');"
        "print('tempfile' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["clock.json"]
