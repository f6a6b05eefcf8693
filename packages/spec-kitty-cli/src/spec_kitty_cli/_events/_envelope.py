"""The one envelope builder every spec-kitty emitter uses (spec-kitty-events 3.0.0 wire shape).

Keys, always all present::

    event_id, event_type, aggregate_id, aggregate_type, schema_version ("3.0.0"), build_id,
    node_id, lamport_clock, correlation_id, causation_id, timestamp (UTC, tz-aware ISO 8601),
    project_uuid, project_slug, repo_slug, payload

``correlation_id`` defaults to the event's own id (a root event); ``causation_id`` defaults to
null. The builder does not judge the result: the contract gate does (``spec_kitty_gate``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import CliError

SCHEMA_VERSION = "3.0.0"
AGGREGATE_TYPES = ("Mission", "MissionDossier", "WorkPackage")
ENVELOPE_KEYS = (
    "aggregate_id",
    "aggregate_type",
    "build_id",
    "causation_id",
    "correlation_id",
    "event_id",
    "event_type",
    "lamport_clock",
    "node_id",
    "payload",
    "project_slug",
    "project_uuid",
    "repo_slug",
    "schema_version",
    "timestamp",
)


def _detached_payload(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        copied = json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise CliError(
            "EVENT_PAYLOAD_NOT_JSON",
            f"{event_type} payload is not plain JSON: {exc}",
            details={"event_type": event_type, "reason": str(exc)},
        ) from exc
    if not isinstance(copied, dict):
        raise CliError(
            "EVENT_PAYLOAD_NOT_JSON",
            f"{event_type} payload must be a JSON object",
            details={"event_type": event_type, "type": type(payload).__name__},
        )
    return copied


def build_envelope(
    identity: Any,
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    payload: Mapping[str, Any],
    lamport_clock: int,
    event_id: str | None = None,
    causation_id: str | None = None,
    correlation_id: str | None = None,
    timestamp: datetime | str | None = None,
    build_id: str | None = None,
    node_id: str | None = None,
) -> dict[str, Any]:
    """Assemble a full 3.0.0 envelope for ``identity`` (a spec_kitty_identity.ProjectIdentity).

    ``event_id``, ``build_id``, ``node_id`` and ``timestamp`` (a datetime, or the exact ISO text
    a local log line already holds) override the fresh values: one fact, one identity.
    """
    from spec_kitty_identity import new_ulid

    eid = event_id or new_ulid()
    return {
        "event_id": eid,
        "event_type": event_type,
        "aggregate_id": aggregate_id,
        "aggregate_type": aggregate_type,
        "schema_version": SCHEMA_VERSION,
        "build_id": build_id or identity.build_id,
        "node_id": node_id or identity.node_id,
        "lamport_clock": lamport_clock,
        "correlation_id": correlation_id or eid,
        "causation_id": causation_id,
        "timestamp": _timestamp(timestamp),
        "project_uuid": identity.project_uuid,
        "project_slug": identity.project_slug,
        "repo_slug": identity.repo_slug,
        "payload": _detached_payload(event_type, payload),
    }


def _timestamp(value: datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise CliError(
                "EVENT_TIMESTAMP_INVALID",
                f"event timestamp {value!r} is not ISO 8601",
                details={"timestamp": value},
            ) from exc
        if parsed.tzinfo is None:
            raise _naive(value)
        return value
    at = value or datetime.now(UTC)
    if at.tzinfo is None:
        raise _naive(at.isoformat())
    return at.astimezone(UTC).isoformat()


def _naive(text: str) -> CliError:
    return CliError(
        "EVENT_TIMESTAMP_NAIVE",
        "event timestamps must be timezone-aware (UTC)",
        details={"timestamp": text},
    )


def mission_catalog_payload(mission: Any) -> dict[str, Any]:
    """MissionCreated / MissionClosed payload: exactly mission_slug, mission_number, mission_type.

    ``mission`` is a spec_kitty_identity.MissionIdentity.
    """
    return {
        "mission_slug": mission.mission_slug,
        "mission_number": int(mission.mission_number),
        "mission_type": mission.mission_type,
    }


def wp_aggregate_id(mission_id: str, wp_id: str) -> str:
    """The aggregate id of a work package: ``<mission_id>:<wp_id>``."""
    return f"{mission_id}:{wp_id}"
