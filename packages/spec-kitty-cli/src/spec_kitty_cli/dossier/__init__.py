"""The dossier pipeline of a checkout (library-like: never prints, never exits).

    index_missions(root, selector=None) -> [MissionRun]      index, emit what changed (no network)
    index_mission_dir(root, mission_selector) -> MissionRun  the trigger of create/finalize
    deliver_bodies(root, refs, *, server_url, token, ...)    bodies after their index events
    dossier_summary(root, mission_slug=None) -> [record]     per mission: indexed, missing,
                                                             snapshot hash, parity, drift
    dossier_detail(root, ref) -> record                      every artifact with its states

State: `.kittify/state/dossier.db` (the index, its stat cache, the parity baselines and the
outbox of dossier envelopes). Events go through the one envelope builder, the contract gate and
the event queue (`spec_kitty_cli._events`); bodies through spec-kitty-bodysync's queue.
"""

from __future__ import annotations

from pathlib import Path

from ._pipeline import MissionRun, run_pipeline
from ._sync import deliver_bodies, index_missions, missions
from ._view import dossier_detail, dossier_summary

__all__ = [
    "MissionRun",
    "deliver_bodies",
    "dossier_detail",
    "dossier_summary",
    "index_mission_dir",
    "index_missions",
    "missions",
    "run_pipeline",
]


def index_mission_dir(root: Path, selector: str) -> MissionRun:
    """Run the pipeline for one mission (the `agent mission create` / `tasks finalize` hook)."""
    return index_missions(root, selector)[0]
