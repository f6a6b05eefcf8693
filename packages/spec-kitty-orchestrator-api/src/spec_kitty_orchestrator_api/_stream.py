"""Streaming the status log: line by line from a byte offset, memory independent of its size."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._log import _bounded, _check_line, _complete
from ._sink import StampedEvent
from .errors import StatusLogError, StatusWriteError


def iter_lines(path: Path, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(line number, end offset, raw line) of every complete line from ``start``.

    A last line without a newline is yielded only if it is complete JSON (a torn tail is not).
    Line numbers count from ``start`` (1 = the first line read).
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StatusWriteError(f"cannot read {path}: {exc}", details={"file": str(path)}) from exc
    with handle:
        handle.seek(start)
        offset = start
        for lineno, line in enumerate(handle, start=1):
            offset += len(line)
            if not line.endswith(b"\n"):
                try:
                    _complete(line)
                except ValueError:
                    return  # a torn tail: left out, as read_log does
            yield lineno, offset, line


def parse_line(path: Path, lineno: int, line: bytes) -> dict[str, Any] | None:
    """One validated record, or None for a blank line (errors name the file and line)."""
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StatusLogError(
            f"{path}:{lineno}: not UTF-8 text ({exc})", details={"file": str(path), "line": lineno}
        ) from exc
    _bounded(path, lineno, text)
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise StatusLogError(
            f"{path}:{lineno}: not valid JSON ({exc})",
            details={"file": str(path), "line": lineno, "parse_error": str(exc)},
        ) from exc
    return _check_line(path, lineno, record)


def iter_stamped(path: Path, *, build_id: str | None = None) -> Iterator[StampedEvent]:
    """The events (not notes) of a status log recorded with one event id per fact.

    Lines without ``node_id`` predate that rule and are skipped; with ``build_id`` only the
    lines of that build are returned. Streamed: the log is never held in memory.
    """
    from ._store import stamped

    needle = json.dumps(build_id).encode() if build_id is not None else b""
    for lineno, _, line in iter_lines(path):
        if b'"node_id"' not in line or needle not in line:
            continue
        record = parse_line(path, lineno, line)
        if record is None or (build_id is not None and record.get("build_id") != build_id):
            continue
        if record.get("kind") is None and not record.get("mission_id"):
            continue
        event = stamped(record, str(record.get("mission_id")))
        if event is not None:
            yield event
