"""Recording the run of a validated definition: the runtime starts it or attaches to it.

The run folder, its state and the index `mission-runs.json` belong to ``spec_kitty_cli.runtime``
(see its ``_store``); this module turns a validation report into the frozen plan and asks the
runtime to start the run unless the mission already has one (attach).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._validate import ValidationReport


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
    from ..runtime._start import ensure_runtime
    from ..runtime._store import runtime_dir as folder

    return ensure_runtime(folder(root))


def attach(runtime: Path, mission_slug: str, mission_id: str) -> RunRecord | None:
    """The live run of this mission, if the index has one whose state.json still exists."""
    from ..runtime import find_run

    found = find_run(runtime, mission_slug, mission_id)
    if found is None:
        return None
    run_dir, entry = found
    return RunRecord(
        run_id=run_dir.name,
        run_dir=run_dir.resolve(),
        mission_key=str(entry.get("mission_type")),
        mission_slug=mission_slug,
        mission_id=mission_id,
        attached=True,
    )


def start(
    checkout: Path,
    runtime: Path,
    report: ValidationReport,
    contracts: dict[str, Path],
    *,
    mission_slug: str,
    mission_id: str,
) -> RunRecord:
    """Start the run of the report's definition (the caller holds the index lock)."""
    from ..runtime import start_run
    from ..runtime._plan import build_plan

    definition = report.definition
    assert report.selected is not None
    run_id, run_dir = start_run(
        checkout,
        runtime,
        definition=definition,
        plan=build_plan(definition, contracts),
        tier=report.selected.tier,
        mission_slug=mission_slug,
        mission_id=mission_id,
    )
    return RunRecord(
        run_id=run_id,
        run_dir=run_dir,
        mission_key=definition.key,
        mission_slug=mission_slug,
        mission_id=mission_id,
        attached=False,
    )
