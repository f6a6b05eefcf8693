"""What the dashboard derives from a mission view: card details, WP history, the lane timeline.

Pure functions of a MissionView (see ``_views.Entry.memo``): they never read a file themselves.
"""

from __future__ import annotations

from typing import Any

from spec_kitty_orchestrator_api import LANES, MissionView

ACTIVE_LANES = frozenset({"claimed", "in_progress", "for_review"})
MET_LANES = frozenset({"approved", "done"})
MAX_HISTORY = 500  # entries per WP on the wire (the newest); the total is reported
MAX_POINTS = 240  # timeline samples per mission


def records_by_id(view: MissionView, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The transition records with these event ids, scanning from the end of the log (the
    last move of a WP is usually recent; nothing is scanned when nothing is wanted)."""
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    for record in reversed(view.log.transitions):
        if record["event_id"] in wanted and record["event_id"] not in found:
            found[record["event_id"]] = record
            if len(found) == len(wanted):
                break
    return found


def by_wp(view: MissionView) -> dict[str, list[dict[str, Any]]]:
    """Every log record (transitions and notes) per WP, in (at, event_id) order, de-duplicated."""
    out: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for record in (*view.log.transitions, *view.log.annotations):
        if record["event_id"] in seen:
            continue
        seen.add(record["event_id"])
        out.setdefault(record["wp_id"], []).append(record)
    for records in out.values():
        records.sort(key=lambda r: (r["at"], r["event_id"]))
    return out


def card_details(view: MissionView, board: dict[str, Any]) -> dict[str, Any]:
    """The `status --json` board, each WP with dependency lanes, holder, lane time, block reason."""
    lanes = {wp["wp_id"]: wp["lane"] for wp in board["work_packages"]}
    blocked = {
        view.status(wp_id).last_event_id or "" for wp_id, lane in lanes.items() if lane == "blocked"
    }
    events = records_by_id(view, blocked - {""})
    cards = []
    for wp in board["work_packages"]:
        state = view.status(wp["wp_id"])
        deps = [
            {"wp_id": dep, "lane": lanes.get(dep), "met": lanes.get(dep) in MET_LANES}
            for dep in wp["dependencies"]
        ]
        last = events.get(state.last_event_id or "")
        cards.append(
            {
                **wp,
                "dependencies_detail": deps,
                "dependencies_met": all(d["met"] for d in deps),
                "holder": state.actor if wp["lane"] in ACTIVE_LANES else None,
                "in_lane_since": state.last_transition_at,
                "block_reason": (last or {}).get("reason") if wp["lane"] == "blocked" else None,
                "review_ref": state.review_ref,
                "event_count": state.event_count,
            }
        )
    return {**board, "lanes": list(LANES), "work_packages": cards}


def history_entry(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("kind") == "annotation":
        note = record["delta"].get("note")
        return {
            "kind": "note",
            "event_id": record["event_id"],
            "at": record["at"],
            "actor": record["actor"],
            "note": note if isinstance(note, str) else None,
            "delta": record["delta"],
        }
    return {
        "kind": "transition",
        "event_id": record["event_id"],
        "at": record["at"],
        "actor": record["actor"],
        "from_lane": record.get("from_lane"),
        "to_lane": record["to_lane"],
        "force": record["force"],
        "note": record.get("reason"),
        "review_ref": record.get("review_ref"),
        "evidence": record.get("evidence"),
        "execution_mode": record.get("execution_mode"),
    }


def wp_history(view: MissionView, records: list[dict[str, Any]], wp_id: str) -> dict[str, Any]:
    """A WP's full history from status.events.jsonl: who, when, from -> to, note, review, evidence."""
    shown = records[-MAX_HISTORY:]
    wp = view.wps.get(wp_id)
    return {
        **view.identity_fields(),
        "wp_id": wp_id,
        "title": wp.title if wp is not None else None,
        "lane": view.lane(wp_id),
        "total_entries": len(records),
        "truncated": len(records) - len(shown),
        "history": [history_entry(r) for r in shown],
    }


def timeline(view: MissionView) -> dict[str, Any]:
    """WPs by lane over time: a sample after each transition (at most MAX_POINTS, last kept)."""
    seen: set[str] = set()
    moves = []
    for record in view.log.transitions:
        if record["event_id"] not in seen:
            seen.add(record["event_id"])
            moves.append(record)
    moves.sort(key=lambda r: (r["at"], r["event_id"]))
    index = {lane: i for i, lane in enumerate(LANES)}
    counts = [0] * len(LANES)
    lane_of: dict[str, str] = {}
    logged = {m["wp_id"] for m in moves}
    counts[index["planned"]] = sum(1 for wp_id in view.wps if wp_id not in logged)
    step = max(1, -(-len(moves) // MAX_POINTS))
    points: list[dict[str, Any]] = []
    for i, move in enumerate(moves):
        before = lane_of.get(move["wp_id"])
        if before is not None:
            counts[index[before]] -= 1
        counts[index[move["to_lane"]]] += 1
        lane_of[move["wp_id"]] = move["to_lane"]
        if i % step == step - 1 or i == len(moves) - 1:
            points.append({"at": move["at"], "counts": list(counts)})
    return {
        **view.identity_fields(),
        "lanes": list(LANES),
        "transitions": len(moves),
        "points": points,
    }
