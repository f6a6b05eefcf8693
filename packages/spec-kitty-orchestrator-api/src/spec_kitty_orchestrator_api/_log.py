"""The append-only `status.events.jsonl`: reading it strictly, appending to it safely.

Each line is one JSON object with sorted keys: a lane transition, an annotation (a note), or
an event line (``kind: "event"``: a mission event with no lane, e.g. WPCreated or MissionClosed,
recorded here first so the queue can be reconciled from the log). Lines written since one event
id per fact carry ``node_id``: their event_id, build_id, node_id and ``at`` are those of the
queued envelope.
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

from spec_kitty_identity import ANNOTATION_KEYS, LANES, TRANSITION_KEYS

from .errors import StatusLegacyError, StatusLogError, StatusWriteError

LOG_NAME = "status.events.jsonl"
TORN_SUFFIX = ".torn"
EVENT_KEYS = frozenset(
    {
        "aggregate_id",
        "aggregate_type",
        "at",
        "build_id",
        "event_id",
        "event_type",
        "kind",
        "node_id",
        "payload",
    }
)
_EVENT_STR = ("event_id", "event_type", "aggregate_type", "aggregate_id", "at", "build_id")
_REQUIRED_STR = ("event_id", "wp_id", "at", "actor")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
MAX_LINE_BYTES = 1024 * 1024  # one status line; the whole log is not bounded (it grows)
MAX_LINE_DEPTH = 64
MAX_LOG_BYTES = 1 << 30  # 1 GiB: far beyond any mission, short of exhausting memory


@dataclass(frozen=True, kw_only=True)
class LogRead:
    """What the log holds: transitions and annotations in file order, plus any torn tail."""

    path: Path
    transitions: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
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


_LANE_VALUES = frozenset(LANES)
_FROM_VALUES = frozenset((None, *LANES))


def _check_line(path: Path, lineno: int, record: Any) -> dict[str, Any]:
    """Validate one parsed line (hot path: set operations first, messages only on failure)."""
    where = {"file": str(path), "line": lineno}
    if not isinstance(record, dict):
        raise StatusLogError(f"{path}:{lineno}: not a JSON object", details=where)
    kind = record.get("kind")
    if kind == "event":
        return _check_event(path, where, record)
    annotation = kind == "annotation"
    allowed = ANNOTATION_KEYS if annotation else TRANSITION_KEYS
    if not allowed.issuperset(record):
        key = sorted(str(k) for k in record if k not in allowed)[0]
        raise StatusLegacyError(
            f"{path}:{lineno}: unknown key `{key}`; run `spec-kitty upgrade` to rewrite "
            "this mission's status log",
            details={**where, "key": key, "hint": "spec-kitty upgrade"},
        )
    for key in _REQUIRED_STR:
        value = record.get(key)
        if not value or value.__class__ is not str:
            raise StatusLogError(
                f"{path}:{lineno}: `{key}` must be a non-empty string",
                details={**where, "key": key},
            )
    node = record.get("node_id", "-")
    if not node or node.__class__ is not str:
        raise StatusLogError(
            f"{path}:{lineno}: `node_id` must be a non-empty string",
            details={**where, "key": "node_id"},
        )
    if annotation:
        if not isinstance(record.get("delta"), dict):
            raise StatusLogError(
                f"{path}:{lineno}: `delta` must be an object", details={**where, "key": "delta"}
            )
        return record
    to_lane, from_lane = record.get("to_lane"), record.get("from_lane")
    if to_lane not in _LANE_VALUES or from_lane not in _FROM_VALUES:
        raise StatusLogError(
            f"{path}:{lineno}: lanes must be canonical 3.0.0 lanes",
            details={**where, "key": "to_lane", "allowed": list(LANES)},
        )
    if record.get("force").__class__ is not bool or record.get("mission_slug").__class__ is not str:
        raise StatusLogError(
            f"{path}:{lineno}: `force` (bool) and `mission_slug` (str) are required",
            details={**where, "key": "force"},
        )
    return record


def _bounded(path: Path, lineno: int, line: str) -> None:
    """Refuse a line too long or nested too deep before the JSON parser sees it."""
    reason = None
    if len(line) > MAX_LINE_BYTES:
        reason, message = "too_large", f"longer than {MAX_LINE_BYTES} bytes"
    elif line.count("{") + line.count("[") > MAX_LINE_DEPTH:
        from spec_kitty_identity import json_nesting_exceeds

        if json_nesting_exceeds(line, MAX_LINE_DEPTH):
            reason, message = "too_deep", f"nested deeper than {MAX_LINE_DEPTH} levels"
    if reason is not None:
        raise StatusLogError(
            f"{path}:{lineno}: line is {message}; restore the log from git or remove the line",
            details={"file": str(path), "line": lineno, "reason": reason},
        )


def _complete(tail: bytes) -> None:
    """Raise ValueError when an unterminated last line is torn (not a whole JSON document).

    A tail beyond the bounds counts as complete, so the line check names it."""
    from spec_kitty_identity import json_nesting_exceeds

    text = tail.decode("utf-8")
    if len(text) > MAX_LINE_BYTES or json_nesting_exceeds(text, MAX_LINE_DEPTH):
        return
    json.loads(text)


def _check_event(path: Path, where: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    lineno = where["line"]
    if not EVENT_KEYS.issuperset(record):
        key = sorted(str(k) for k in record if k not in EVENT_KEYS)[0]
        raise StatusLogError(
            f"{path}:{lineno}: unknown key `{key}` in an event line", details={**where, "key": key}
        )
    for key in _EVENT_STR:
        value = record.get(key)
        if not value or value.__class__ is not str:
            raise StatusLogError(
                f"{path}:{lineno}: `{key}` must be a non-empty string",
                details={**where, "key": key},
            )
    if not isinstance(record.get("payload"), dict) or not isinstance(record.get("node_id"), str):
        raise StatusLogError(
            f"{path}:{lineno}: `payload` (object) and `node_id` (string) are required",
            details={**where, "key": "payload"},
        )
    return record


def read_log(path: Path) -> LogRead:
    """Parse the whole log; a corrupt complete line is an error naming file and line."""
    from spec_kitty_identity import InputRejected, read_bounded

    try:
        raw = read_bounded(path, MAX_LOG_BYTES)
    except FileNotFoundError:
        return LogRead(path=path)
    except InputRejected as exc:
        raise StatusLogError(
            f"{path}: {exc.message}", details={"file": str(path), "line": None, **exc.details}
        ) from exc
    except OSError as exc:
        raise StatusWriteError(f"cannot read {path}: {exc}", details={"file": str(path)}) from exc
    transitions: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    cut = raw.rfind(b"\n") + 1
    body, tail = raw[:cut], raw[cut:]
    torn: str | None = None
    needs_newline = False
    if tail.strip():
        try:
            _complete(tail)
            body, cut, needs_newline = raw, len(raw), True
        except ValueError:
            torn = tail.decode("utf-8", errors="replace")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StatusLogError(
            f"{path}: not UTF-8 text ({exc})", details={"file": str(path), "line": None}
        ) from exc
    loads = json.loads
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        _bounded(path, lineno, line)
        try:
            record = loads(line)
        except ValueError as exc:
            raise StatusLogError(
                f"{path}:{lineno}: not valid JSON ({exc})",
                details={"file": str(path), "line": lineno, "parse_error": str(exc)},
            ) from exc
        record = _check_line(path, lineno, record)
        kind = record.get("kind")
        (transitions if kind is None else annotations if kind == "annotation" else events).append(
            record
        )
    return LogRead(
        path=path,
        transitions=transitions,
        annotations=annotations,
        events=events,
        torn_tail=torn,
        valid_size=cut,
        needs_newline=needs_newline,
    )


def encode(record: dict[str, Any]) -> str:
    """One log line: compact JSON, sorted keys, a trailing newline."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def append_records(log: LogRead, records: list[dict[str, Any]]) -> str | None:
    """Append ``records`` (caller holds the mission lock); return the torn tail it set aside."""
    from spec_kitty_identity import guard_state_path

    path = log.path
    guard_state_path(path)
    guard_state_path(path.with_name(path.name + TORN_SUFFIX))
    try:
        if log.torn_tail is not None:
            stamp = datetime.now(UTC).isoformat(timespec="microseconds")
            aside = path.with_name(path.name + TORN_SUFFIX)
            with aside.open("a", encoding="utf-8") as handle:
                handle.write(f"# set aside {stamp} from byte {log.valid_size}\n")
                handle.write(log.torn_tail + "\n")
            os.truncate(path, log.valid_size)
        data = ("\n" if log.needs_newline else "") + "".join(encode(r) for r in records)
        # the checked, resolved path; O_NOFOLLOW refuses a link swapped in since the check
        fd = os.open(
            os.path.realpath(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o644
        )
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
