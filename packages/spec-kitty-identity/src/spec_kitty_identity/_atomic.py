"""Safe state writes: never through a symlink that leaves the project; atomic replacement.

Every state file spec-kitty writes (meta.json, status.json, the status log, queues, run state,
locks, config) goes through :func:`guard_state_path` first: when the path lies inside a
spec-kitty project (a folder holding `.kittify/`), it must still resolve inside that project
after following every symlink; otherwise the write is refused with STATE_PATH_OUTSIDE_PROJECT,
naming the file and where it leads. Replacement is a temp file in the same folder, fsync, rename.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import StatePathError, StateWriteError

_MARKER = ".kittify"


def _project_of(path: Path) -> Path | None:
    """The nearest folder above ``path`` (lexically) that holds `.kittify/`, if any."""
    for folder in path.parents:
        if os.path.lexists(folder / _MARKER):
            return folder
    return None


def guard_state_path(path: Path, root: Path | None = None) -> Path:
    """Refuse a state path that resolves outside its project (through any symlink).

    ``root`` defaults to the nearest folder above ``path`` holding `.kittify/`; paths outside
    any project (per-user state) are not restricted. Returns ``path`` for chaining.
    """
    path = Path(os.path.abspath(path))
    project = root if root is not None else _project_of(path)
    if project is None:
        return path
    real_root = os.path.realpath(project)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise StatePathError(
            f"refusing to write {path}: it leads through a symlink to {real}, outside the "
            f"project {project}; replace the symlink with a regular file or folder",
            details={
                "file": str(path),
                "resolves_to": real,
                "project_root": str(project),
                "hint": "replace the symlink with a regular file (`spec-kitty doctor` lists them)",
            },
        )
    return path


def guard_sqlite_path(path: Path) -> Path:
    """:func:`guard_state_path` for a SQLite file and the journal files SQLite puts beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        guard_state_path(Path(f"{path}{suffix}"))
    return Path(path)


def _write_error(path: Path, exc: OSError) -> StateWriteError:
    return StateWriteError(
        f"cannot write {path}: {exc.strerror or exc}",
        details={"file": str(path), "reason": exc.strerror or str(exc), "errno": exc.errno},
    )


def _target_mode(path: Path) -> int:
    """The mode the file should keep: its current one, else what open() would give (umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _mkstemp(path: Path) -> tuple[int, str]:
    """A new temp file beside ``path`` (`.<name>.<random>.tmp`, mode 0600, O_EXCL), as
    ``tempfile.mkstemp`` makes it, without importing tempfile (shutil, random, bz2, lzma): every
    emitted event writes the clock through here."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "no unused temporary file name", str(path.parent))  # pragma: no cover


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new content, never half.

    The file keeps its permissions (a new file gets the usual umask-based mode, not mkstemp's
    0600), so tracked files such as meta.json and config.yaml stay readable by the team. An
    explicit ``mode`` (e.g. 0o600 for secrets) is set before any byte is written.
    """
    guard_state_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _target_mode(path) if mode is None else mode
        fd, tmp = _mkstemp(path)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise


def create_exclusive_text(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` only if it does not exist yet; never half-written.

    Returns True when this call created the file, False when another process got there first.
    The content is written to a temp file and hard-linked into place: a link fails if the target
    exists, so two racing processes agree on one winner and the loser reads the winner's file.
    """
    guard_state_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _mkstemp(path)
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
