"""The append-only `status.events.jsonl`: reading it strictly, appending to it safely.

Each line is one JSON object with sorted keys: a lane transition or an annotation (a note).
Readers accept canonical keys only. A line that is cut off at the end of the file (a crash in the
middle of a write) is a *torn tail*: readers report it and leave it out; the next writer, under
the per-mission lock, moves it to `status.events.jsonl.torn` and truncates it away before it
appends, so nothing is dropped silently and no later call keeps failing on it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._lanes import LANES
from .errors import StatusLegacyError, StatusLogError, StatusWriteError

LOG_NAME = "status.events.jsonl"
TORN_SUFFIX = ".torn"
TRANSITION_KEYS = frozenset(
    {
        "actor",
        "at",
        "build_id",
        "event_id",
        "evidence",
        "execution_mode",
        "force",
        "from_lane",
        "mission_id",
        "mission_slug",
        "policy_metadata",
        "reason",
        "review_ref",
        "to_lane",
        "wp_id",
    }
)
ANNOTATION_KEYS = frozenset({"actor", "at", "build_id", "delta", "event_id", "kind", "wp_id"})
_REQUIRED_STR = ("event_id", "wp_id", "at", "actor")


@dataclass(frozen=True, kw_only=True)
class LogRead:
    """What the log holds: transitions and annotations in file order, plus any torn tail."""

    path: Path
    transitions: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    torn_tail: str | None = None
    valid_size: int = 0
    needs_newline: bool = False

    def warnings(self) -> list[str]:
        if self.torn_tail is None:
            return []
        return [
            f"{self.path}: the last line is incomplete (a write was interrupted); it is left "
            f"out and will be moved to {self.path.name}{TORN_SUFFIX} by the next change"
        ]


def _check_line(path: Path, lineno: int, record: Any) -> dict[str, Any]:
    where = {"file": str(path), "line": lineno}
    if not isinstance(record, dict):
        raise StatusLogError(f"{path}:{lineno}: not a JSON object", details=where)
    allowed = ANNOTATION_KEYS if record.get("kind") == "annotation" else TRANSITION_KEYS
    for key in sorted(record, key=str):
        if key not in allowed:
            raise StatusLegacyError(
                f"{path}:{lineno}: unknown key `{key}`; run `spec-kitty upgrade` to rewrite "
                "this mission's status log",
                details={**where, "key": key, "hint": "spec-kitty upgrade"},
            )
    for key in _REQUIRED_STR:
        if not isinstance(record.get(key), str) or not record[key]:
            raise StatusLogError(
                f"{path}:{lineno}: `{key}` must be a non-empty string",
                details={**where, "key": key},
            )
    if allowed is ANNOTATION_KEYS:
        if not isinstance(record.get("delta"), dict):
            raise StatusLogError(
                f"{path}:{lineno}: `delta` must be an object", details={**where, "key": "delta"}
            )
        return record
    if record.get("to_lane") not in LANES or record.get("from_lane") not in (None, *LANES):
        raise StatusLogError(
            f"{path}:{lineno}: lanes must be canonical 3.0.0 lanes",
            details={**where, "key": "to_lane", "allowed": list(LANES)},
        )
    if not isinstance(record.get("force"), bool) or not isinstance(record.get("mission_slug"), str):
        raise StatusLogError(
            f"{path}:{lineno}: `force` (bool) and `mission_slug` (str) are required",
            details={**where, "key": "force"},
        )
    return record


def read_log(path: Path) -> LogRead:
    """Parse the whole log; a corrupt complete line is an error naming file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LogRead(path=path)
    except OSError as exc:
        raise StatusWriteError(f"cannot read {path}: {exc}", details={"file": str(path)}) from exc
    transitions: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    cut = raw.rfind(b"\n") + 1
    body, tail = raw[:cut], raw[cut:]
    torn: str | None = None
    needs_newline = False
    if tail.strip():
        try:
            json.loads(tail)
            body, cut, needs_newline = raw, len(raw), True
        except ValueError:
            torn = tail.decode("utf-8", errors="replace")
    for lineno, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise StatusLogError(
                f"{path}:{lineno}: not valid JSON ({exc})",
                details={"file": str(path), "line": lineno, "parse_error": str(exc)},
            ) from exc
        record = _check_line(path, lineno, record)
        (annotations if record.get("kind") == "annotation" else transitions).append(record)
    return LogRead(
        path=path,
        transitions=transitions,
        annotations=annotations,
        torn_tail=torn,
        valid_size=cut,
        needs_newline=needs_newline,
    )


def encode(record: dict[str, Any]) -> str:
    """One log line: compact JSON, sorted keys, a trailing newline."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def append_records(log: LogRead, records: list[dict[str, Any]]) -> str | None:
    """Append ``records`` (caller holds the mission lock); return the torn tail it set aside."""
    path = log.path
    try:
        if log.torn_tail is not None:
            stamp = datetime.now(UTC).isoformat(timespec="microseconds")
            aside = path.with_name(path.name + TORN_SUFFIX)
            with aside.open("a", encoding="utf-8") as handle:
                handle.write(f"# set aside {stamp} from byte {log.valid_size}\n")
                handle.write(log.torn_tail + "\n")
            os.truncate(path, log.valid_size)
        data = ("\n" if log.needs_newline else "") + "".join(encode(r) for r in records)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data.encode("utf-8"))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StatusWriteError(
            f"cannot append to {path}: {exc}", details={"file": str(path), "reason": str(exc)}
        ) from exc
    return log.torn_tail
