"""State writes (issue 15): never through a symlink leaving the project; mission create is
all or nothing; read-only commands answer on a read-only `.kittify/`."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Links", "--json", cwd=project).json()
    slug = str(created["mission_slug"])
    tasks = project / "kitty-specs" / slug / "tasks"
    (tasks / "WP01-a.md").write_text("---\nwork_package_id: WP01\ntitle: A\n---\n")
    assert run_cli("agent", "tasks", "finalize", "--mission", slug, "--json").exit_code == 0
    return slug


def queued(project: Path) -> int:
    with sqlite3.connect(project / ".kittify" / "state" / "events.db") as conn:
        return int(conn.execute("SELECT count(*) FROM event_journal").fetchone()[0])


@pytest.mark.parametrize(
    "name", ["status.events.jsonl", "status.json", "meta.json", "status.events.jsonl.torn"]
)
def test_a_transition_never_writes_through_a_symlink_out_of_the_project(
    project: Path, run_cli: Any, refused: Any, mission: str, tmp_path: Path, name: str
) -> None:
    target = project / "kitty-specs" / mission / name
    outside = tmp_path / "outside" / name
    outside.parent.mkdir()
    if target.exists():
        outside.write_bytes(target.read_bytes())
        target.unlink()
    else:
        outside.write_text("")
    target.symlink_to(outside)
    before_outside, before_events = outside.read_bytes(), queued(project)
    args = ("agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission)
    env = refused(run_cli(*args, "--json"), "STATE_PATH_OUTSIDE_PROJECT")
    assert env["details"]["file"] == str(target)
    assert env["details"]["resolves_to"] == str(outside.resolve())
    assert outside.read_bytes() == before_outside
    assert queued(project) == before_events  # refused before anything was emitted


def test_a_symlinked_state_folder_leaving_the_project_is_refused(
    project: Path, run_cli: Any, refused: Any, tmp_path: Path
) -> None:
    state = project / ".kittify" / "state"
    outside = tmp_path / "elsewhere"
    state.rename(outside)
    state.symlink_to(outside)
    result = run_cli("agent", "mission", "create", "Escape", "--json", cwd=project)
    env = refused(result, "STATE_PATH_OUTSIDE_PROJECT")
    assert env["details"]["resolves_to"].startswith(str(outside.resolve()))
    assert not list((project / "kitty-specs").glob("*escape*"))


def test_a_symlink_inside_the_project_is_fine(project: Path, run_cli: Any, mission: str) -> None:
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    real = project / "kitty-specs" / mission / "real.jsonl"
    log.rename(real)
    log.symlink_to(real)
    args = ("agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission)
    assert run_cli(*args, "--json").exit_code == 0
    assert "claimed" in real.read_text()


def _break_clock(project: Path) -> None:
    clock = project / ".kittify" / "state" / "clock.json"
    clock.unlink(missing_ok=True)
    clock.mkdir()  # the event cannot be stamped: the write fails after the folder exists


def _corrupt_queue(project: Path) -> None:
    (project / ".kittify" / "state" / "events.db").write_bytes(b"not a database" * 100)


@pytest.mark.parametrize(
    ("breaker", "exit_code"), [(_break_clock, 2), (_corrupt_queue, 2)], ids=["clock", "queue"]
)
def test_mission_create_is_all_or_nothing(
    project: Path, run_cli: Any, snapshot: Any, breaker: Callable[[Path], None], exit_code: int
) -> None:
    from spec_kitty_cli._events._emit import close_queues

    assert run_cli("mission", "create", "First", "--json", cwd=project).exit_code == 0
    close_queues()  # a new process opens the queue afresh
    breaker(project)
    before = snapshot(project / "kitty-specs")
    result = run_cli("mission", "create", "Second", "--json", cwd=project)
    assert result.exit_code == exit_code, result.stdout
    assert result.json()["error_code"] != "INTERNAL_ERROR"
    assert snapshot(project / "kitty-specs") == before
    assert sorted(p.name for p in (project / "kitty-specs").iterdir()) == ["001-first"]


def test_a_failed_create_then_a_retry_makes_exactly_one_mission(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli import _events

    calls = {"n": 0}
    real = _events.publish  # the queue write of MissionCreated (after its status line)

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(_events, "publish", flaky)
    failed = run_cli("mission", "create", "Retry me", "--json", cwd=project)
    assert failed.exit_code == 1 and failed.json()["error_code"] == "FILE_ACCESS_FAILED"
    assert not list((project / "kitty-specs").iterdir())
    assert run_cli("mission", "create", "Retry me", "--json", cwd=project).exit_code == 0
    assert [p.name for p in (project / "kitty-specs").iterdir()] == ["001-retry-me"]
    assert queued(project) == 7  # one MissionCreated and the new mission's 6 dossier events
    with sqlite3.connect(project / ".kittify" / "state" / "events.db") as conn:
        created = conn.execute(
            "SELECT count(*) FROM event_journal WHERE event_type = 'MissionCreated'"
        ).fetchone()[0]
    assert created == 1


def test_mission_create_when_the_disk_is_full_writing_the_scaffold(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli import _mission_create

    def full(*_: Any, **__: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_mission_create, "scaffold", full)
    result = run_cli("mission", "create", "Full", "--json", cwd=project)
    assert result.exit_code == 1
    assert not list((project / "kitty-specs").iterdir())
    assert not (project / ".kittify" / "state" / "events.db").exists() or queued(project) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_read_only_commands_answer_on_a_read_only_kittify(
    project: Path, run_cli: Any, mission: str
) -> None:  # pragma: no cover - CI runs unprivileged
    kittify = project / ".kittify"
    folders = [kittify, *[p for p in kittify.rglob("*") if p.is_dir()]]
    for folder in folders:
        folder.chmod(0o555)
    try:
        for args in (
            ("status", "--mission", mission, "--json"),
            ("mission", "list", "--json"),
            ("sync", "status", "--json"),
        ):
            result = run_cli(*args, cwd=project)
            assert result.exit_code == 0, (args, result.stdout)
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_read_only_commands_write_nothing_in_kittify(
    project: Path, run_cli: Any, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores file modes: prove instead that the readers change no byte and no mtime
    when `.kittify/` reports itself read-only (and the state folder's .gitignore is missing)."""
    from spec_kitty_cli._events._emit import close_queues

    close_queues()
    kittify = project / ".kittify"
    (kittify / "state" / ".gitignore").unlink()
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and str(path).startswith(str(kittify)):
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)

    def state() -> dict[str, tuple[int, int]]:
        return {
            str(p): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(kittify.rglob("*"))
            if not p.name.endswith(".lock")
        }

    before = state()
    for args in (
        ("status", "--mission", mission, "--json"),
        ("mission", "list", "--json"),
        ("sync", "status", "--json"),
    ):
        result = run_cli(*args, cwd=project)
        assert result.exit_code == 0, (args, result.stdout)
    assert state() == before


def test_sync_now_refuses_a_hostile_stored_envelope(
    project: Path, run_cli: Any, refused: Any, mission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli._events._emit import close_queues

    close_queues()
    db = project / ".kittify" / "state" / "events.db"
    with sqlite3.connect(db) as conn:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(
            "UPDATE event_journal SET envelope = ? WHERE seq = 1", ("{" * 9000 + "}" * 9000,)
        )
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "t")
    result = run_cli("sync", "now", "--json", cwd=project)
    assert result.json()["error_code"] == "EVENT_QUEUE_CORRUPT", result.stdout
    assert result.exit_code == 2
