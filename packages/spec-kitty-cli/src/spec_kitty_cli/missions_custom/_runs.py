"""Recording runs: `.kittify/runtime/runs/<run_id>/` and the index `mission-runs.json`.

A run dir holds the frozen definition (`mission_template_frozen.yaml`, a byte copy), `state.json`
(the run snapshot and the route of every step) and `run.events.jsonl` (MissionRunStarted first).
It is assembled in a temp folder and renamed into place, so a run dir is complete or absent.
The index maps mission_slug -> run entry; it is read and written under a file lock and replaced
atomically. An entry whose state.json exists (and whose mission_id matches) is attached to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._definition import RETROSPECTIVE, MissionDefinition, Step

RUNTIME_DIR = Path(".kittify") / "runtime"
INDEX_FILE = "mission-runs.json"
RUN_ID_RE = re.compile(r"^[0-9a-f]{32}$")
FROZEN_FILE = "mission_template_frozen.yaml"


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """A run of a definition for one mission; ``attached`` when it existed already."""

    run_id: str
    run_dir: Path
    mission_key: str
    mission_slug: str
    mission_id: str
    attached: bool


def runtime_dir(root: Path) -> Path:
    """`.kittify/runtime/`, created on demand and ignoring itself in git."""
    path = root / RUNTIME_DIR
    ignore = path / ".gitignore"
    if not ignore.is_file():
        from spec_kitty_identity import atomic_write_text

        atomic_write_text(ignore, "# spec-kitty mission runs of this checkout\n*\n")
    return path


@contextmanager
def index_lock(runtime: Path) -> Iterator[None]:
    from filelock import FileLock

    from spec_kitty_identity import guard_state_path

    with FileLock(str(guard_state_path(runtime / f".{INDEX_FILE}.lock")), timeout=30):
        yield


def read_index(runtime: Path) -> dict[str, Any]:
    from spec_kitty_identity import loads_json, read_bounded

    path = runtime / INDEX_FILE
    try:
        data = loads_json(read_bounded(path))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return data


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def find_run(runtime: Path, mission_slug: str, mission_id: str) -> RunRecord | None:
    """The live run of this mission, if the index has one whose state.json still exists."""
    entry = read_index(runtime).get(mission_slug)
    if not isinstance(entry, dict):
        return None
    run_id = entry.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        return None
    run_dir = runtime / "runs" / run_id
    key = entry.get("mission_key")
    if entry.get("mission_id") != mission_id or not isinstance(key, str):
        return None
    if not (run_dir / "state.json").is_file():
        return None
    return RunRecord(
        run_id=run_id,
        run_dir=run_dir.resolve(),
        mission_key=key,
        mission_slug=mission_slug,
        mission_id=mission_id,
        attached=True,
    )


def step_route(definition: MissionDefinition, step: Step) -> dict[str, Any]:
    """Where the runtime sends a step: a decision, a step contract or an agent profile."""
    if step.id == RETROSPECTIVE:
        return {"kind": "retrospective"}
    if step.requires_inputs:
        return {"kind": "decision", "inputs": list(step.requires_inputs)}
    if step.contract_ref:
        return {"kind": "step_contract", "contract_ref": step.contract_ref}
    return {
        "kind": "agent_profile",
        "agent_profile": step.agent_profile,
        "contract_ref": f"custom:{definition.key}:{step.id}",
    }


def _dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def start_run(
    runtime: Path, definition: MissionDefinition, *, tier: str, mission_slug: str, mission_id: str
) -> RunRecord:
    """Create a complete run dir, then point the index at it."""
    from spec_kitty_identity import atomic_write_text, guard_state_path

    run_id = uuid.uuid4().hex
    runs = runtime / "runs"
    runs.mkdir(exist_ok=True)
    staging = runs / f".tmp-{run_id}"
    final = runs / run_id
    started = _now()
    state = {
        "run_id": run_id,
        "mission_key": definition.key,
        "mission_slug": mission_slug,
        "mission_id": mission_id,
        "template_path": str(definition.path),
        "template_tier": tier,
        "template_version": definition.version,
        "template_hash": hashlib.sha256(definition.source).hexdigest(),
        "started_at": started,
        "policy_snapshot": {"strictness": "medium", "default_route": "same_llm_context"},
        "steps": [
            {
                "id": s.id,
                "title": s.title,
                "depends_on": list(s.depends_on),
                "route": step_route(definition, s),
            }
            for s in definition.steps
        ],
        "completed_steps": [],
        "issued_step_id": None,
        "inputs": {"mission_slug": mission_slug},
        "decisions": {},
        "pending_decisions": {},
        "blocked_reason": None,
    }
    event = {
        "event_type": "MissionRunStarted",
        "timestamp": started,
        "payload": {
            "run_id": run_id,
            "mission_key": definition.key,
            "mission_slug": mission_slug,
            "mission_id": mission_id,
            "actor": {"actor_id": "system", "actor_type": "service"},
        },
    }
    try:
        guard_state_path(staging)
        guard_state_path(final)
        staging.mkdir()
        (staging / FROZEN_FILE).write_bytes(definition.source)
        (staging / "state.json").write_text(_dump(state), encoding="utf-8")
        (staging / "run.events.jsonl").write_text(
            json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    index = read_index(runtime)
    index[mission_slug] = {
        "mission_id": mission_id,
        "mission_key": definition.key,
        "mission_slug": mission_slug,
        "run_dir": str(final.resolve()),
        "run_id": run_id,
        "started_at": started,
    }
    atomic_write_text(runtime / INDEX_FILE, _dump(index))
    return RunRecord(
        run_id=run_id,
        run_dir=final.resolve(),
        mission_key=definition.key,
        mission_slug=mission_slug,
        mission_id=mission_id,
        attached=False,
    )
