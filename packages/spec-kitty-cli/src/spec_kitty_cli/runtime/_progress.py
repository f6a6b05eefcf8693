"""Run progress as a record, for `status`, `mission list` and the dashboard (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

from ._start import iter_runs
from ._store import load_state, runtime_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


@dataclass(frozen=True, kw_only=True)
class RunProgress:
    """Where one mission's run stands."""

    mission_slug: str
    mission_id: str
    mission_type: str
    run_id: str
    status: str  # running | blocked | completed
    steps_total: int
    steps_done: int
    completed_steps: tuple[str, ...]
    issued: dict[str, Any] | None  # {step_id, agent, issued_at}
    waiting: tuple[str, ...]  # steps neither done nor issued, in plan order
    decisions_open: tuple[str, ...]
    decisions_answered: int
    blocked_reason: str | None
    started_at: str
    completed_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mission_slug": self.mission_slug,
            "mission_id": self.mission_id,
            "mission_type": self.mission_type,
            "run_id": self.run_id,
            "status": self.status,
            "steps_total": self.steps_total,
            "steps_done": self.steps_done,
            "completed_steps": list(self.completed_steps),
            "issued": self.issued,
            "waiting": list(self.waiting),
            "decisions_open": list(self.decisions_open),
            "decisions_answered": self.decisions_answered,
            "blocked_reason": self.blocked_reason,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
        }


def progress_of(state: dict[str, Any]) -> RunProgress:
    """The progress record of a loaded run state."""
    done = list(state["completed_steps"])
    issued = state["issued"]
    busy = {issued["step_id"]} if issued else set()
    return RunProgress(
        mission_slug=state["mission_slug"],
        mission_id=state["mission_id"],
        mission_type=state["mission_type"],
        run_id=state["run_id"],
        status=state["status"],
        steps_total=len(state["steps"]),
        steps_done=len(done),
        completed_steps=tuple(done),
        issued=dict(issued) if issued else None,
        waiting=tuple(s["id"] for s in state["steps"] if s["id"] not in set(done) | busy),
        decisions_open=tuple(sorted(state["pending_decisions"])),
        decisions_answered=len(state["decisions"]),
        blocked_reason=state["blocked_reason"],
        started_at=state["started_at"],
        completed_at=state.get("completed_at"),
    )


def run_progress(root: Path, mission_slug: str) -> RunProgress | None:
    """The progress of ``mission_slug``'s run in the mission root ``root``; None: no run."""
    for slug, run_dir in iter_runs(runtime_dir(root)):
        if slug == mission_slug:
            return progress_of(load_state(run_dir))
    return None


def all_progress(root: Path) -> dict[str, RunProgress]:
    """mission_slug -> progress, for every run of the mission root."""
    return {slug: progress_of(load_state(d)) for slug, d in iter_runs(runtime_dir(root))}
