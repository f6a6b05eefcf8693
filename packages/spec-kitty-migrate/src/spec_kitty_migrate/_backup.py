"""Backups with a sha256 manifest, and the run journal that makes an upgrade resumable.

Layout (all under the checkout's untracked `.kittify/state/`)::

    upgrade-journal.json                  the run in progress (absent when none is)
    upgrade-backups/<run-id>/manifest.json
    upgrade-backups/<run-id>/project/...  copies of checkout files, by relative path
    upgrade-backups/<run-id>/external/... copies of files outside the checkout (per-user queue)
    upgrade-backups/<run-id>/journal.json the journal of a finished run

A file is copied once per run, before its first rewrite: a resumed run never overwrites the copy
of the original with an already rewritten file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spec_kitty_identity import atomic_write_text, checkout_state_dir, new_ulid

from ._context import sha256_file
from .errors import UpgradeBackupError

JOURNAL_NAME = "upgrade-journal.json"
BACKUPS_DIR = "upgrade-backups"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _dump(path: Path, data: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == _SQLITE_MAGIC


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


class Backup:
    """The backup folder of one run: copies plus `manifest.json`."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id
        self.directory = checkout_state_dir(root) / BACKUPS_DIR / run_id
        self.manifest_path = self.directory / "manifest.json"
        self.entries: dict[str, dict[str, Any]] = {}
        if self.manifest_path.is_file():
            loaded = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            self.entries = {e["original"]: e for e in loaded.get("files", [])}

    def _relative(self, path: Path) -> Path:
        try:
            return Path("project") / path.relative_to(self.root.resolve())
        except ValueError:
            return Path("external") / str(path).lstrip("/\\").replace(":", "")

    def save(self, path: Path) -> None:
        """Copy ``path`` into the backup (once per run) and record its digest."""
        original = path.resolve()
        key = str(original)
        if key in self.entries:
            return
        entry: dict[str, Any] = {"original": key, "existed": original.exists(), "saved_at": _now()}
        if original.exists():
            rel = self._relative(original)
            target = self.directory / rel
            tmp = target.with_name(f".{target.name}.partial")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if _is_sqlite(original):
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
                    _copy_sqlite(original, tmp)
                else:
                    shutil.copyfile(original, tmp)
                with tmp.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
            except (OSError, sqlite3.Error) as exc:
                raise UpgradeBackupError(
                    f"cannot back up {original}: {exc}; nothing was rewritten",
                    details={"file": key, "backup_dir": str(self.directory), "reason": str(exc)},
                ) from exc
            entry.update(backup=str(rel), sha256=sha256_file(target), size=target.stat().st_size)
        self.entries[key] = entry
        self._write_manifest()

    def _write_manifest(self) -> None:
        files = sorted(self.entries.values(), key=lambda e: str(e["original"]))
        _dump(self.manifest_path, {"run_id": self.run_id, "files": files})


class Journal:
    """`.kittify/state/upgrade-journal.json`: the run in progress, so the next run resumes it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = checkout_state_dir(root) / JOURNAL_NAME
        self.data: dict[str, Any] = {}

    def start(self) -> tuple[str, bool]:
        """Begin a run, or resume the interrupted one; returns (run_id, resumed)."""
        if self.path.is_file():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
                run_id = str(self.data["run_id"])
            except (ValueError, KeyError, TypeError):
                self.data = {}
            else:
                self.data["resumed_at"] = _now()
                _dump(self.path, self.data)
                return run_id, True
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        run_id = f"{stamp}-{new_ulid()[-8:].lower()}"
        self.data = {"run_id": run_id, "started_at": _now(), "phase": "backup"}
        _dump(self.path, self.data)
        return run_id, False

    def phase(self, name: str, **extra: Any) -> None:
        self.data.update(phase=name, **extra)
        _dump(self.path, self.data)

    def finish(self, backup: Backup, summary: dict[str, Any]) -> None:
        """Keep the journal of the finished run beside its backup; clear the active one."""
        self.data.update(phase="complete", finished_at=_now(), summary=summary)
        backup.directory.mkdir(parents=True, exist_ok=True)
        _dump(backup.directory / "journal.json", self.data)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
