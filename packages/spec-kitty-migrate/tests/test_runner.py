"""The runner: plan, backup + manifest, journal resume, lock, idempotence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import spec_kitty_migrate
from spec_kitty_migrate import STEPS, UpgradeBusyError, run_upgrade


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_registry_and_public_api() -> None:
    assert [s.id for s in STEPS] == [
        "config-identity",
        "meta-json",
        "status-wp",
        "body-queue",
        "event-queue",
    ]
    assert spec_kitty_migrate.__all__ == sorted(spec_kitty_migrate.__all__)
    assert spec_kitty_migrate.__version__ == "4.0.0"
    with pytest.raises(AttributeError):
        spec_kitty_migrate.nope  # noqa: B018


def test_backup_manifest_holds_the_originals(legacy_project: Path, isolated_home: Path) -> None:
    before = _snapshot(legacy_project)
    queue_digest = hashlib.sha256(
        (isolated_home / ".spec-kitty" / "queue.db").read_bytes()
    ).hexdigest()
    report = run_upgrade(legacy_project)
    assert report.status == "upgraded" and report.verified and report.backup_dir is not None
    manifest = json.loads((report.backup_dir / "manifest.json").read_text())
    assert manifest["run_id"] == report.run_id
    entries = {e["original"]: e for e in manifest["files"]}
    for rel, data in before.items():
        original = str((legacy_project / rel).resolve())
        if original in entries:
            entry = entries[original]
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert (report.backup_dir / entry["backup"]).read_bytes() == data
    touched = {e for e in entries if entries[e]["existed"]}
    assert str((legacy_project / ".kittify" / "config.yaml").resolve()) in touched
    queue_entry = entries[str((isolated_home / ".spec-kitty" / "queue.db").resolve())]
    assert queue_entry["backup"].startswith("external/")
    assert queue_digest  # the live file was read, the backup is an SQLite snapshot of it
    journal = json.loads((report.backup_dir / "journal.json").read_text())
    assert journal["phase"] == "complete"
    assert not (legacy_project / ".kittify" / "state" / "upgrade-journal.json").exists()


def test_second_run_changes_nothing(legacy_project: Path) -> None:
    run_upgrade(legacy_project)
    after_first = _snapshot(legacy_project)
    second = run_upgrade(legacy_project)
    assert second.status == "up_to_date" and second.run_id is None
    assert _snapshot(legacy_project) == after_first


def test_dry_run_and_declined_confirmation_change_nothing(legacy_project: Path) -> None:
    before = _snapshot(legacy_project)
    assert run_upgrade(legacy_project, dry_run=True).status == "planned"
    asked = []
    declined = run_upgrade(legacy_project, confirm=lambda plan: asked.append(plan) is not None)
    assert declined.status == "planned" and len(asked) == 1
    after = _snapshot(legacy_project)
    assert {k: v for k, v in after.items() if "state" not in k} == {
        k: v for k, v in before.items() if "state" not in k
    }


def test_interrupted_run_is_resumed_with_its_backup(legacy_project: Path) -> None:
    state = legacy_project / ".kittify" / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "upgrade-journal.json").write_text(
        json.dumps({"run_id": "20260101T000000Z-interrupted", "phase": "apply"})
    )
    ticks: list[tuple[str, int, int]] = []
    report = run_upgrade(legacy_project, progress=lambda *a: ticks.append(a))
    assert report.resumed and report.run_id == "20260101T000000Z-interrupted"
    assert ticks and ticks[-1][1] == ticks[-1][2] == 30
    # a journal left behind after everything was applied: the next run just completes it
    (state / "upgrade-journal.json").write_text(json.dumps({"run_id": "x-done"}))
    done = run_upgrade(legacy_project)
    assert done.status == "upgraded" and done.resumed and not done.steps[1].changed
    # an unreadable journal starts a fresh run
    (state / "upgrade-journal.json").write_text("{")
    assert run_upgrade(legacy_project).run_id != "x-done"


def test_busy_lock(legacy_project: Path) -> None:
    from filelock import FileLock

    lock = FileLock(str(legacy_project / ".kittify" / "state" / "upgrade.lock"))
    with lock, pytest.raises(UpgradeBusyError):
        run_upgrade(legacy_project)


def test_report_serialises(legacy_project: Path) -> None:
    report = run_upgrade(legacy_project)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["status"] == "upgraded"
    assert [s["id"] for s in data["applied"]] == [s.id for s in STEPS]
    assert data["applied"][3]["rows_imported"] == 30
    assert data["plan"]["pending"] is True
