"""Read-only progress of a mission's run: steps in dependency order, done / issued / waiting.

Reads `.kittify/runtime/mission-runs.json` and the run's `state.json` and never writes (the
dashboard polls it). A missing runtime, index entry or state file is "no run"; a damaged one is
reported as ``{"state": "unreadable", "reason": ...}`` instead of failing the caller.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..runtime._store import INDEX_FILE, RUNTIME_DIR

RUN_ID_RE = re.compile(r"^[0-9a-f]{32}$")

MAX_STATE_BYTES = 4 * 1024 * 1024


def _read_json(path: Path) -> Any:
    with path.open("rb") as handle:
        raw = handle.read(MAX_STATE_BYTES + 1)
    if len(raw) > MAX_STATE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_STATE_BYTES} bytes")
    return json.loads(raw)


def dependency_order(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps sorted so each comes after its ``depends_on`` (file order breaks ties; cycles keep
    file order for what is left)."""
    ids = [str(s.get("id")) for s in steps]
    by_id = dict(zip(ids, steps, strict=True))
    placed: list[str] = []
    done: set[str] = set()
    remaining = list(ids)
    while remaining:
        ready = [
            i
            for i in remaining
            if all(d in done or d not in by_id for d in by_id[i].get("depends_on") or [])
        ]
        pick = ready[0] if ready else remaining[0]
        placed.append(pick)
        done.add(pick)
        remaining.remove(pick)
    return [by_id[i] for i in placed]


def _step_rows(state: dict[str, Any]) -> list[dict[str, Any]]:
    completed = {str(s) for s in state.get("completed_steps") or []}
    raw_held = state.get("issued")
    held: dict[str, Any] = raw_held if isinstance(raw_held, dict) else {}
    issued = state.get("issued_step_id") or held.get("step_id")
    issued_to = held.get("agent") or state.get("issued_to")
    steps = [s for s in state.get("steps") or [] if isinstance(s, dict)]
    rows = []
    for step in dependency_order(steps):
        step_id = str(step.get("id"))
        if step_id in completed:
            status = "done"
        elif step_id == issued:
            status = "issued"
        else:
            status = "waiting"
        rows.append(
            {
                "id": step_id,
                "title": step.get("title"),
                "depends_on": list(step.get("depends_on") or []),
                "status": status,
                "issued_to": issued_to if status == "issued" else None,
            }
        )
    return rows


def _decisions(state: dict[str, Any]) -> list[dict[str, Any]]:
    pending = state.get("pending_decisions") or {}
    out = []
    items = pending.items() if isinstance(pending, dict) else enumerate(pending)
    for key, value in items:
        entry = value if isinstance(value, dict) else {"question": value}
        out.append({"decision_id": str(entry.get("decision_id", key)), **entry})
    return out


def run_progress(project_root: Path, mission_slug: str, mission_id: str) -> dict[str, Any]:
    """``{"state": "none"}``, ``{"state": "unreadable", ...}`` or the run's progress."""
    runtime = Path(project_root).joinpath(*RUNTIME_DIR)
    try:
        index = _read_json(runtime / INDEX_FILE)
    except FileNotFoundError:
        return {"state": "none"}
    except (OSError, ValueError) as exc:
        return {"state": "unreadable", "reason": f"{runtime / INDEX_FILE}: {exc}"}
    entry = index.get(mission_slug) if isinstance(index, dict) else None
    if not isinstance(entry, dict) or entry.get("mission_id") != mission_id:
        return {"state": "none"}
    run_id = entry.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        return {"state": "unreadable", "reason": f"{runtime / INDEX_FILE}: bad run_id"}
    path = runtime / "runs" / run_id / "state.json"
    try:
        state = _read_json(path)
    except FileNotFoundError:
        return {"state": "none"}
    except (OSError, ValueError) as exc:
        return {"state": "unreadable", "reason": f"{path}: {exc}"}
    if not isinstance(state, dict):
        return {"state": "unreadable", "reason": f"{path}: not a JSON object"}
    steps = _step_rows(state)
    blocked = state.get("blocked_reason")
    finished = bool(steps) and all(s["status"] == "done" for s in steps)
    status = state.get("status")
    if status not in ("running", "blocked", "completed"):
        status = "blocked" if blocked else ("completed" if finished else "running")
    return {
        "state": status,
        "run_id": run_id,
        "definition": entry.get("mission_type"),
        "started_at": state.get("started_at"),
        "blocked_reason": blocked,
        "steps": steps,
        "counts": {k: sum(s["status"] == k for s in steps) for k in ("done", "issued", "waiting")},
        "open_decisions": _decisions(state),
    }
