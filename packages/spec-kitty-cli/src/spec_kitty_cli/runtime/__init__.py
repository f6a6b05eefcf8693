"""The mission runtime: `spec-kitty next` drives a run step by step (library part, no printing).

Public API::

    next_action(checkout, root, selector, *, agent, result=None, step_id=None) -> dict
    resolve_decision(checkout, root, selector, decision_id, *, answer, by) -> dict
    list_decisions(checkout, root, selector) -> dict
    run_progress(root, mission_slug) -> RunProgress | None;  all_progress(root)
    start_run(...), find_run(...), index_lock(...)   (used by `mission run`)

A run lives in `.kittify/runtime/runs/<run_id>/` of the mission root (see ``_store``); its
events go to `run.events.jsonl` and, with the same event_id, to the invoking checkout's queue.
Submodules are imported on first use: `next` pays only for what it runs.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "RunProgress",
    "all_progress",
    "find_run",
    "index_lock",
    "list_decisions",
    "next_action",
    "resolve_decision",
    "run_progress",
    "start_run",
]

_LAZY = {
    "RunProgress": "._progress",
    "all_progress": "._progress",
    "run_progress": "._progress",
    "find_run": "._start",
    "index_lock": "._start",
    "start_run": "._start",
    "list_decisions": "._api",
    "next_action": "._api",
    "resolve_decision": "._api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
