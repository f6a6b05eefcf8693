"""Reconcile sources: the facts this checkout's local logs hold (see ``_reconcile.SOURCES``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ._record import Fact


def status_facts(checkout_root: Path, build_id: str) -> Iterator[Fact]:
    """Every event line and transition of `kitty-specs/*/status.events.jsonl` stamped by
    ``build_id`` (streamed: memory does not grow with the logs)."""
    from spec_kitty_identity import main_root_of
    from spec_kitty_orchestrator_api import iter_stamped

    specs = main_root_of(checkout_root) / "kitty-specs"
    try:
        logs = sorted(specs.glob("*/status.events.jsonl"))
    except OSError:
        return
    for log in logs:
        for event in iter_stamped(log, build_id=build_id):
            yield Fact(
                event_type=event.event_type,
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                payload=event.payload,
                event_id=event.event_id,
                build_id=event.build_id,
                node_id=event.node_id,
                timestamp=event.at,
            )
