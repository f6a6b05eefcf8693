"""The vocabulary of a mission's status log (3.0.0 lanes, the keys of a transition line), once.

It lives in this leaf because both the status model (spec-kitty-orchestrator-api) and the
upgrade of legacy status (spec-kitty-migrate) need it, and neither may import the other.
There is no in_review; ``doing`` is read as in_progress and never written.
"""

from __future__ import annotations

LANES: tuple[str, ...] = (
    "planned",
    "claimed",
    "in_progress",
    "for_review",
    "approved",
    "done",
    "blocked",
    "canceled",
)
LANE_ALIASES = {"doing": "in_progress"}
# The keys a canonical transition line of status.events.jsonl may carry.
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
        "node_id",
        "policy_metadata",
        "reason",
        "review_ref",
        "to_lane",
        "wp_id",
    }
)

# The keys of an annotation line (a history note, no lane change).
ANNOTATION_KEYS = frozenset(
    {"actor", "at", "build_id", "delta", "event_id", "kind", "node_id", "wp_id"}
)


def canonical_lane(name: str) -> str | None:
    """The 3.0.0 lane ``name`` means (case-insensitive; ``doing`` -> in_progress), else None."""
    lane = name.strip().lower()
    lane = LANE_ALIASES.get(lane, lane)
    return lane if lane in LANES else None
