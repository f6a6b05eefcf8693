"""The reducer: fold the event log into one state per work package, deterministically.

Transitions are de-duplicated by event_id (the first occurrence wins) and ordered by
``(at, rollback-last, event_id)``, so a reviewer rollback written at the same instant as a
forward move wins; annotations are folded afterwards in ``(at, event_id)`` order. The result
does not depend on the order of lines in the file, nor on duplicated lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spec_kitty_identity import LANES

from ._lanes import is_rollback

DEFAULT_LANE = "planned"


@dataclass(frozen=True, kw_only=True)
class WPStatus:
    """The reduced state of one work package."""

    wp_id: str
    lane: str
    actor: str | None = None
    last_transition_at: str | None = None
    last_event_id: str | None = None
    last_from_lane: str | None = None
    review_ref: str | None = None
    last_reason: str | None = None
    force_count: int = 0
    event_count: int = 0
    notes: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "lane": self.lane,
            "actor": self.actor,
            "last_transition_at": self.last_transition_at,
            "last_event_id": self.last_event_id,
            "force_count": self.force_count,
        }
        if self.review_ref is not None:
            data["review_ref"] = self.review_ref
        if self.notes:
            data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True, kw_only=True)
class Reduced:
    """Every work package's state plus log-wide facts."""

    wps: dict[str, WPStatus] = field(default_factory=dict)
    event_count: int = 0
    last_event_id: str | None = None
    last_at: str | None = None

    def lane(self, wp_id: str) -> str:
        """The WP's lane; a WP without transition events is planned."""
        state = self.wps.get(wp_id)
        return state.lane if state is not None else DEFAULT_LANE


def _order(event: dict[str, Any]) -> tuple[str, int, str]:
    rollback = is_rollback(event.get("from_lane"), event["to_lane"])
    return (event["at"], 1 if rollback else 0, event["event_id"])


def _unique(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for record in records:
        if record["event_id"] not in seen:
            seen.add(record["event_id"])
            out.append(record)
    return out


def reduce_events(
    transitions: list[dict[str, Any]], annotations: list[dict[str, Any]] | None = None
) -> Reduced:
    """Fold transition and annotation records into per-WP state."""
    moves = sorted(_unique(transitions), key=_order)
    states: dict[str, dict[str, Any]] = {}
    for event in moves:
        state = states.setdefault(event["wp_id"], {"force_count": 0, "event_count": 0, "notes": []})
        state["lane"] = event["to_lane"]
        state["actor"] = event["actor"]
        state["last_transition_at"] = event["at"]
        state["last_event_id"] = event["event_id"]
        state["last_from_lane"] = event.get("from_lane")
        state["review_ref"] = event.get("review_ref")
        state["last_reason"] = event.get("reason")
        state["force_count"] += 1 if event["force"] else 0
        state["event_count"] += 1
    notes = sorted(_unique(annotations or []), key=lambda a: (a["at"], a["event_id"]))
    for note in notes:
        text = note["delta"].get("note")
        state = states.setdefault(note["wp_id"], {"force_count": 0, "event_count": 0, "notes": []})
        if isinstance(text, str):
            state["notes"].append(text)
    wps = {
        wp_id: WPStatus(
            wp_id=wp_id,
            lane=state.get("lane", DEFAULT_LANE),
            actor=state.get("actor"),
            last_transition_at=state.get("last_transition_at"),
            last_event_id=state.get("last_event_id"),
            last_from_lane=state.get("last_from_lane"),
            review_ref=state.get("review_ref"),
            last_reason=state.get("last_reason"),
            force_count=state["force_count"],
            event_count=state["event_count"],
            notes=tuple(state["notes"]),
        )
        for wp_id, state in sorted(states.items())
    }
    return Reduced(
        wps=wps,
        event_count=len(moves) + len(notes),
        last_event_id=moves[-1]["event_id"] if moves else None,
        last_at=moves[-1]["at"] if moves else None,
    )


def summary(lanes: list[str]) -> dict[str, int]:
    """A count for each of the eight lanes (zeros included)."""
    counts = dict.fromkeys(LANES, 0)
    for lane in lanes:
        counts[lane] += 1
    return counts
