"""Running every doctor check, in a fixed order; a check that crashes is itself a finding."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ._files import STATE, check_identity, check_missions, check_symlinks
from ._model import Report
from ._queues import check_locks, check_queue, check_unqueued
from ._server import check_server


def _guarded(report: Report, name: str, check: Callable[[], None]) -> None:
    try:
        check()
    except Exception as exc:
        if os.environ.get("SPEC_KITTY_DEBUG"):
            raise
        report.add(
            name,
            "CHECK_FAILED",
            f"the {name} check stopped: {type(exc).__name__}: {exc}",
            "fix what the message names, or rerun with SPEC_KITTY_DEBUG=1 and report it",
        )


def run_doctor(checkout: Path, main_root: Path) -> Report:
    """Check ``checkout`` (its identity, queues, locks) and ``main_root`` (missions, logs)."""
    report = Report()
    state = checkout / STATE
    checks: list[tuple[str, Callable[[], None]]] = [
        ("identity", lambda: check_identity(report, checkout)),
        ("missions", lambda: check_missions(report, main_root)),
        *(
            ("symlinks", lambda p=project: check_symlinks(report, p))
            for project in dict.fromkeys((checkout, main_root))
        ),
        ("event_queue", lambda: check_queue(report, state, "event_queue")),
        ("body_queue", lambda: check_queue(report, state, "body_queue")),
        ("unqueued_events", lambda: check_unqueued(report, checkout)),
        ("locks", lambda: check_locks(report, state)),
        ("server", lambda: check_server(report)),
    ]
    if main_root != checkout:
        checks.append(("locks", lambda: check_locks(report, main_root / STATE)))
    for name, check in checks:
        _guarded(report, name, check)
    return report
