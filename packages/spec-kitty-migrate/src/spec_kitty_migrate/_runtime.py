"""What a step gets while applying: the run's backup and a progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._backup import Backup
    from ._context import ProgressFn


@dataclass(frozen=True, kw_only=True)
class ApplyContext:
    """Handed to every step's ``apply``."""

    backup: Backup
    progress: ProgressFn | None = None
    # Hands one canonical event fact to the caller's event queue; returns None when queued
    # (or already there), else the refusal reason.
    emit: Callable[[dict[str, Any]], str | None] | None = None

    def tick(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def ensure_backup(self, path: Path) -> None:
        self.backup.save(path)
