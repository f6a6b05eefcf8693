"""The legacy `lane:` key of WP frontmatter -> a seed line in the mission's status log.

Older spec-kitty kept a work package's lane in its prompt file (``lane: doing``). The canonical
model keeps lanes only in `kitty-specs/<slug>/status.events.jsonl`, and the WP loader refuses an
unknown `lane:` key. Upgrade removes the key from the frontmatter and, when the log holds no
transition for that work package yet, appends one canonical seed line (from_lane null, to_lane
the canonical lane, force true with a reason, actor "spec-kitty upgrade").

Crash safety: the seed is written first (the whole log rewritten to a temp file and renamed,
under the mission's status lock, the one the orchestrator API takes), then the WP file. A run
killed in between finds the lane still in the WP file and the seed already in the log: it only
removes the key. A run killed before the seed finds everything as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import LANES, canonical_lane, checkout_state_dir

from ._context import read_text_strict, write_text

ACTOR = "spec-kitty upgrade"
REASON = "migrated from the WP file's legacy lane field"
EXECUTION_MODE = "worktree"
LOCK_TIMEOUT_S = 60.0
_WP_FILE = re.compile(r"^(WP\d{2,})(?:-[^/]*)?\.md$")
_WP_ID = re.compile(r"^WP\d{2,}$")


class LaneConflict(Exception):
    """The lane cannot be migrated; the message says why (reported, the file is left alone)."""


@dataclass(frozen=True, kw_only=True)
class Seed:
    """The seed line to append for one work package (the time is the WP file's mtime)."""

    log: Path
    mission_dir: Path
    wp_id: str
    to_lane: str
    at: str


def lane_of(value: Any) -> str:
    """The 3.0.0 lane for a legacy `lane:` value (``doing`` -> in_progress), else LaneConflict."""
    lane = canonical_lane(value) if isinstance(value, str) else None
    if lane is not None:
        return lane
    raise LaneConflict(
        f"lane {value!r} is not a 3.0.0 lane ({', '.join(LANES)}); set the work package's lane "
        "by hand (`spec-kitty orchestrator-api transition`), remove `lane:`, then rerun upgrade"
    )


def wp_id_of(path: Path, data: dict[str, Any]) -> str:
    """The work package id: `work_package_id` of the frontmatter, else the file name's WPnn."""
    declared = data.get("work_package_id")
    if isinstance(declared, str) and _WP_ID.match(declared):
        return declared
    match = _WP_FILE.match(path.name)
    if match is None:
        raise LaneConflict("no work package id (`work_package_id` or a WPnn file name)")
    return match.group(1)


def _lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        if line.strip():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn tail: the orchestrator's reader sets it aside
            if isinstance(record, dict):
                records.append(record)
    return records


def has_transition(log: Path, wp_id: str, *, seeding: bool = False) -> bool:
    """True when the status log already holds a lane transition of ``wp_id`` (any spelling);
    with ``seeding``, a log a seed cannot be appended to is a LaneConflict."""
    if not log.is_file():
        return False
    text = read_text_strict(log)
    for record in _lines(text):
        if record.get("kind") == "annotation" or "to_lane" not in record:
            continue
        if wp_id in (record.get("wp_id"), record.get("work_package_id")):
            return True
    if seeding:
        check_tail(log, text)
    return False


def check_tail(log: Path, text: str) -> None:
    """LaneConflict when the log ends with an incomplete line (a torn write): appending after it
    would turn it into a corrupt line. The orchestrator API sets such a tail aside."""
    if text and not text.endswith("\n"):
        try:
            json.loads(text[text.rfind("\n") + 1 :])
        except ValueError as exc:
            raise LaneConflict(
                f"{log.name} ends with an incomplete line; let any `spec-kitty orchestrator-api` "
                "change set it aside, then rerun upgrade"
            ) from exc


def seed_record(seed: Seed, *, mission_slug: str, mission_id: str, build_id: str) -> dict[str, Any]:
    """The canonical status line (every key of a transition, nothing else)."""
    from spec_kitty_identity import new_ulid

    return {
        "actor": ACTOR,
        "at": seed.at,
        "build_id": build_id,
        "event_id": new_ulid(),
        "evidence": None,
        "execution_mode": EXECUTION_MODE,
        "force": True,
        "from_lane": None,
        "mission_id": mission_id,
        "mission_slug": mission_slug,
        "policy_metadata": None,
        "reason": REASON,
        "review_ref": None,
        "to_lane": seed.to_lane,
        "wp_id": seed.wp_id,
    }


def append_seed(root: Path, seed: Seed) -> bool:
    """Append the seed unless the log already has a transition of the WP; True when appended.

    Under the mission's status lock; the log is rewritten whole (temp file + rename), so a kill
    leaves the old log or the new one, never a torn line.
    """
    from filelock import FileLock, Timeout

    from spec_kitty_identity import load_build_id, load_mission_meta

    try:
        identity = load_mission_meta(seed.mission_dir / "meta.json")
    except Exception as exc:  # IdentityError: meta.json is not canonical (a reported conflict)
        raise LaneConflict(f"meta.json of the mission is not canonical ({exc})") from exc
    locks = checkout_state_dir(root) / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(locks / f"{identity.mission_slug}.lock"), timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            if has_transition(seed.log, seed.wp_id):
                return False
            record = seed_record(
                seed,
                mission_slug=identity.mission_slug,
                mission_id=identity.mission_id,
                build_id=load_build_id(root),
            )
            line = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            text = read_text_strict(seed.log) if seed.log.is_file() else ""
            check_tail(seed.log, text)
            if text and not text.endswith("\n"):
                text += "\n"
            write_text(seed.log, text + line + "\n")
            return True
    except Timeout as exc:
        raise LaneConflict(f"timed out waiting for the status lock {lock.lock_file}") from exc
