"""Status-log lines of the 2.x/3.x releases -> canonical lines (used by the `status-wp` step).

What those releases left in `kitty-specs/<slug>/status.events.jsonl`, read here and only here:

- lifecycle envelope lines (3.2: ``event_type`` MissionCreated, SpecifyStarted, WPCreated, ...,
  schema 5.0.0). They are not lane facts: they move, verbatim, to the mission's
  `status.legacy.jsonl` beside the log (kept, never dropped) and leave the status log.
- keys a canonical line does not have (3.2: ``review_result``, ...) move to the same file as
  ``{"event_id": <the line's id>, "legacy_extras": {...}}``.
- lane ``genesis`` (the seed's from-lane) -> null; ``in_review`` -> ``for_review`` (3.0.0 has no
  review-in-progress lane; the mapping is recorded in the line's ``reason``); ``doing`` ->
  ``in_progress``.
- an ``actor`` object (``{tool, role, profile, model}``) -> the text ``tool (role)``.
- WP transitions that live only on the mission's coordination branch (3.2:
  ``kitty/mission-<slug>``, checked out under `.worktrees/`) are read from git and appended.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from spec_kitty_identity import ANNOTATION_KEYS, TRANSITION_KEYS

LIFECYCLE_FILE = "status.legacy.jsonl"
LANE_MAP = {"doing": "in_progress", "in_review": "for_review"}
FROM_NULL = frozenset({"genesis"})
IN_REVIEW_NOTE = "spec-kitty upgrade: lane in_review mapped to for_review (not a 3.0.0 lane)"
_MAX_GIT_BYTES = 64 << 20


def actor_text(value: Any) -> str:
    """A legacy actor object as the one string the canonical line carries."""
    if not isinstance(value, dict):
        return str(value)
    name = value.get("tool") or value.get("profile") or value.get("model") or "unknown"
    role = value.get("role")
    return f"{name} ({role})" if role else str(name)


def canonical_line(obj: dict[str, Any], changes: set[str]) -> bool:
    """Rewrite one transition/annotation line in place; True when something changed."""
    touched = False
    if isinstance(obj.get("actor"), dict):
        obj["actor"] = actor_text(obj["actor"])
        changes.add("actor object -> actor text `tool (role)`")
        touched = True
    if obj.get("kind") == "annotation":
        return touched
    if obj.get("from_lane") in FROM_NULL:
        changes.add(f"from_lane {obj['from_lane']!r} -> null")
        obj["from_lane"] = None
        touched = True
    mapped_review = False
    for key in ("from_lane", "to_lane"):
        lane = obj.get(key)
        if lane in LANE_MAP:
            changes.add(f"{key} {lane!r} -> {LANE_MAP[lane]!r}")
            mapped_review = mapped_review or lane == "in_review"
            obj[key] = LANE_MAP[lane]
            touched = True
    if mapped_review:
        reason = obj.get("reason")
        obj["reason"] = f"{reason}; {IN_REVIEW_NOTE}" if reason else IN_REVIEW_NOTE
    return touched


def split_extras(obj: dict[str, Any]) -> dict[str, Any] | None:
    """Pop the keys a canonical line does not carry; None when there are none."""
    allowed = ANNOTATION_KEYS if obj.get("kind") == "annotation" else TRANSITION_KEYS
    extra = sorted(k for k in obj if k not in allowed)
    if not extra:
        return None
    return {key: obj.pop(key) for key in extra}


def extras_line(event_id: Any, extras: dict[str, Any]) -> str:
    record = {"event_id": event_id, "legacy_extras": extras}
    return json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"


def is_event_line(obj: dict[str, Any]) -> bool:
    """A canonical event line (`kind: "event"`, one event id per fact): kept as it is."""
    return obj.get("kind") == "event" and "node_id" in obj and "event_type" in obj


def is_lifecycle(obj: dict[str, Any]) -> bool:
    return "event_type" in obj and not is_event_line(obj)


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0 or len(proc.stdout) > _MAX_GIT_BYTES:
        return None
    return proc.stdout.decode("utf-8", errors="strict")


def coordination_branch(meta_path: Path) -> str | None:
    """The coordination branch a 3.2 meta.json names (top level or under legacy_extras)."""
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    extras = data.get("legacy_extras")
    value = data.get("coordination_branch")
    if value is None and isinstance(extras, dict):
        value = extras.get("coordination_branch")
    return value if isinstance(value, str) and value.strip() else None


def branch_log(root: Path, mission_dir: Path, log_name: str) -> tuple[str | None, str | None]:
    """(branch, the status log text on it) for the mission's coordination branch, if any."""
    branch = coordination_branch(mission_dir / "meta.json")
    if branch is None or _git(root, "rev-parse", "--verify", "-q", f"refs/heads/{branch}") is None:
        return None, None
    rel = mission_dir.relative_to(root).as_posix()
    return branch, _git(root, "show", f"refs/heads/{branch}:{rel}/{log_name}")


def known_ids(text: str) -> set[str]:
    ids = set()
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("event_id"), str):
            ids.add(obj["event_id"])
    return ids
