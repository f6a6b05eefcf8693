"""Test-only helpers for the spec-kitty-gate conformance tests: wrap upstream fixtures.

Upstream spec-kitty-events 3.0.0 fixtures carry no ``aggregate_type`` (a SaaS wire field the
library does not model), and most non-Event fixtures are bare payloads. These helpers make
them full spec-kitty wire envelopes so the gate's ``event`` surface can judge them; the
injection is documented here and nowhere else.
"""

from __future__ import annotations

from typing import Any

# aggregate_type injected per event-type family (allowed set: Mission, WorkPackage, MissionDossier).
_WORK_PACKAGE_TYPES = frozenset({"WPStatusChanged", "WPCreated", "WPAssigned"})


def aggregate_type_for(event_type: str) -> str:
    """The wire aggregate_type a spec-kitty producer would give this event type."""
    if event_type in _WORK_PACKAGE_TYPES:
        return "WorkPackage"
    if event_type.startswith("MissionDossier"):
        return "MissionDossier"
    return "Mission"


def with_aggregate_type(envelope: dict[str, Any]) -> dict[str, Any]:
    """A copy of a full upstream envelope with the wire aggregate_type injected."""
    out = dict(envelope)
    out.setdefault("aggregate_type", aggregate_type_for(str(envelope.get("event_type", ""))))
    return out


def wrap_payload(event_type: str, payload: Any) -> dict[str, Any]:
    """A valid spec-kitty 3.0.0 wire envelope carrying ``payload`` as ``event_type``."""
    return {
        "aggregate_id": "mission/001-conformance",
        "aggregate_type": aggregate_type_for(event_type),
        "build_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "correlation_id": "01JMYYYYYYYYYYYYYYYYYYYYYY",
        "event_id": "01JMXXXXXXXXXXXXXXXXXXXXXX",
        "event_type": event_type,
        "lamport_clock": 1,
        "node_id": "a1b2c3d4e5f6",
        "payload": payload,
        "project_uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "schema_version": "3.0.0",
        "timestamp": "2026-01-15T10:00:00+00:00",
    }
