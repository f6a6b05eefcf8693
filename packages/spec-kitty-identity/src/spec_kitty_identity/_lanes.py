"""The 3.0.0 lane vocabulary, defined once.

It lives in this leaf because both the status model (spec-kitty-orchestrator-api) and the
upgrade of legacy lanes (spec-kitty-migrate) need it, and neither may import the other.
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


def canonical_lane(name: str) -> str | None:
    """The 3.0.0 lane ``name`` means (case-insensitive; ``doing`` -> in_progress), else None."""
    lane = name.strip().lower()
    lane = LANE_ALIASES.get(lane, lane)
    return lane if lane in LANES else None
