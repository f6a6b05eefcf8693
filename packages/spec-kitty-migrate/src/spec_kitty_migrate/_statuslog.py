"""Step `status-wp`, the status log part: one mission's `status.events.jsonl` rewritten.

``feature_slug`` -> ``mission_slug``, ``work_package_id`` -> ``wp_id``, lane aliases, ``mission_id``
stamped on each rewritten line that lacks it, plus the 2.x/3.x rules of `_logfix` (lifecycle
lines and unknown keys to `status.legacy.jsonl`, the coordination branch's transitions). Line
order, event ids and every untouched line (byte for byte) are preserved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import LANE_ALIASES

from . import _logfix as lf
from ._context import Conflict, read_text_strict, sha256_bytes
from ._model import Finding
from ._wplane import Seed
from .errors import UpgradeUnparseableError

STEP_ID = "status-wp"
EVENTS_FILE = "status.events.jsonl"
RENAMES = {"feature_slug": "mission_slug", "work_package_id": "wp_id"}
LANE_KEYS = ("from_lane", "to_lane")
_MARKERS = (
    "feature_slug",
    "work_package_id",
    '"doing"',
    '"in_review"',
    '"genesis"',
    '"event_type"',
    '"actor": {',
)


@dataclass(frozen=True, kw_only=True)
class _Work:
    text: str
    sha256: str
    seed: Seed | None = None
    side: tuple[Path, str] | None = None


def _fix_line(obj: dict[str, Any], mission_id: str | None, changes: set[str]) -> bool:
    touched = False
    for old, new in RENAMES.items():
        if old in obj:
            value = obj.pop(old)
            if new in obj and obj[new] != value:
                raise Conflict(f"{old}={value!r} disagrees with {new}={obj[new]!r}")
            obj[new] = value
            changes.add(f"{old} -> {new}")
            touched = True
    for key in LANE_KEYS:
        if obj.get(key) in LANE_ALIASES:
            changes.add(f"{key} {obj[key]!r} -> {LANE_ALIASES[obj[key]]!r}")
            obj[key] = LANE_ALIASES[obj[key]]
            touched = True
    if touched and mission_id and "mission_id" not in obj and "to_lane" in obj:
        obj["mission_id"] = mission_id
        changes.add("mission_id stamped from meta.json")
    return touched


def _parse(path: Path, number: int, body: str) -> dict[str, Any]:
    try:
        obj = json.loads(body)
    except ValueError as exc:
        raise UpgradeUnparseableError(
            f"{path}:{number} is not a JSON object; fix or restore it, then rerun upgrade",
            details={"file": str(path), "line": number, "reason": str(exc)},
        ) from exc
    if not isinstance(obj, dict):
        raise UpgradeUnparseableError(
            f"{path}:{number} is not a JSON object",
            details={"file": str(path), "line": number, "reason": "not an object"},
        )
    return obj


def _events(path: Path, mission_id: str | None, root: Path | None = None) -> Finding | None:
    text = read_text_strict(path) if path.is_file() else ""
    branch, branch_text = (None, None)
    if root is not None:
        branch, branch_text = lf.branch_log(root, path.parent, EVENTS_FILE)
    if not branch_text and not any(marker in text for marker in _MARKERS):
        return None
    side_path = path.parent / lf.LIFECYCLE_FILE
    side_old = read_text_strict(side_path) if side_path.is_file() else ""
    side_ids = lf.known_ids(side_old)
    out: list[str] = []
    side: list[str] = []
    changes: set[str] = set()
    count = 0
    summary = "legacy keys or lane aliases in status lines"
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        if not body.strip():
            out.append(line)
            continue
        obj = _parse(path, number, body)
        if lf.is_event_line(obj):  # a canonical `kind: "event"` line: already current
            out.append(line)
            continue
        if lf.is_lifecycle(obj):
            if obj.get("event_id") not in side_ids:
                side.append(body + "\n")
            changes.add(f"lifecycle lines (event_type) -> {lf.LIFECYCLE_FILE}")
            count += 1
            continue
        try:
            touched = _fix_line(obj, mission_id, changes)
            touched = lf.canonical_line(obj, changes) or touched
            extras = lf.split_extras(obj)
            if extras is not None:
                side.append(lf.extras_line(obj.get("event_id"), extras))
                changes.add(f"keys {', '.join(extras)} -> {lf.LIFECYCLE_FILE} (legacy_extras)")
                touched = True
        except Conflict as exc:
            return Finding(
                step=STEP_ID, path=str(path), summary=summary, conflict=f"line {number}: {exc}"
            )
        if touched:
            count += 1
            ending = line[len(body) :] or "\n"
            out.append(json.dumps(obj, sort_keys=True, ensure_ascii=False) + ending)
        else:
            out.append(line)
    seen = lf.known_ids(text) | side_ids
    appended = 0
    for number, line in enumerate((branch_text or "").splitlines(), start=1):
        if not line.strip():
            continue
        obj = _parse(path, number, line)
        if obj.get("event_id") in seen:
            continue
        seen.add(str(obj.get("event_id")))
        if lf.is_event_line(obj):
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.append(line + "\n")
            appended += 1
            continue
        if lf.is_lifecycle(obj):
            side.append(line + "\n")
            continue
        try:
            _fix_line(obj, mission_id, changes)
        except Conflict as exc:
            return Finding(
                step=STEP_ID, path=str(path), summary=summary, conflict=f"{branch}:{number}: {exc}"
            )
        lf.canonical_line(obj, changes)
        extras = lf.split_extras(obj)
        if extras is not None:
            side.append(lf.extras_line(obj.get("event_id"), extras))
            changes.add(f"keys {', '.join(extras)} -> {lf.LIFECYCLE_FILE} (legacy_extras)")
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(json.dumps(obj, sort_keys=True, ensure_ascii=False) + "\n")
        appended += 1
    if appended:
        changes.add(f"{appended} line(s) read from the coordination branch {branch}")
    if not count and not appended and not side:
        return None
    side_text = None
    if side:
        side_text = side_old + ("" if not side_old or side_old.endswith("\n") else "\n")
        side_text += "".join(side)
    return Finding(
        step=STEP_ID,
        path=str(path),
        summary=f"{count + appended} status line(s) to rewrite, move or import",
        changes=tuple(sorted(changes)),
        rows=count + appended,
        work=_Work(
            text="".join(out),
            sha256=sha256_bytes(text.encode("utf-8")),
            side=(side_path, side_text) if side_text is not None else None,
        ),
    )
