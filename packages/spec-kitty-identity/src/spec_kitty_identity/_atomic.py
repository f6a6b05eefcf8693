"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import StateWriteError


def _target_mode(path: Path) -> int:
    """The mode the file should keep: its current one, else what open() would give (umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new content, never half.

    The file keeps its permissions (a new file gets the usual umask-based mode, not mkstemp's
    0600), so tracked files such as meta.json and config.yaml stay readable by the team. An
    explicit ``mode`` (e.g. 0o600 for secrets) is set before any byte is written.
    """
    import tempfile  # deferred: read-only commands never pay for it

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(path) if mode is None else mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def create_exclusive_text(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` only if it does not exist yet; never half-written.

    Returns True when this call created the file, False when another process got there first.
    The content is written to a temp file and hard-linked into place: a link fails if the target
    exists, so two racing processes agree on one winner and the loser reads the winner's file.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:  # pragma: no cover - filesystems without hard links
            raise StateWriteError(
                f"cannot create {path}: {exc}", details={"file": str(path), "reason": str(exc)}
            ) from exc
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
