"""Closing a mission: finalize (seed lanes), accept-mission (MissionClosed); record_events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ._host import Host
from ._store import Change, Move, SinkEvent, transact
from ._view import MissionView
from ._wpfiles import validate_graph
from .errors import MissionNotReadyError, UsageError

ACCEPTED_LANES = frozenset({"approved", "done"})
ACCEPTANCE_MODE = "orchestrator"


def _mission_payload(view: MissionView) -> dict[str, Any]:
    ident = view.identity
    return {
        "mission_slug": ident.mission_slug,
        "mission_number": ident.mission_number,
        "mission_type": ident.mission_type,
    }


def record_events(host: Host, mission: str, events: Sequence[SinkEvent]) -> list[str]:
    """Record mission events that move no lane (one batch): event lines first, then the queue.

    Every event gets one status line (``kind: "event"``) and one envelope with the same
    event_id, build_id, node_id and timestamp: one clock reservation, one fsync, one queue
    transaction. Returns the event ids, in order.
    """
    items = list(events)

    def decide(view: MissionView) -> Change:
        return Change(before=items)

    done = transact(host.root, mission, decide, sink=host.sink, origin=host.origin)
    return [str(r["event_id"]) for r in done.records]


def finalize(host: Host, mission: str, actor: str = "finalize-tasks") -> dict[str, Any]:
    """Validate every WP file and seed None -> planned (with WPCreated) for new work packages."""
    from ._api_write import _required

    actor = _required("actor", actor)

    def decide(view: MissionView) -> Change:
        if not view.wps:
            raise UsageError(
                f"mission {view.slug} has no WP prompt files in tasks/",
                details={"tasks_dir": str(view.mission_dir / "tasks")},
            )
        validate_graph(view.wps)
        change = Change()
        for wp_id, wp in view.wps.items():
            if wp_id in view.reduced.wps and view.reduced.wps[wp_id].event_count:
                continue
            change.before.append(
                SinkEvent(
                    event_type="WPCreated",
                    aggregate_type="WorkPackage",
                    aggregate_id=f"{view.mission_id}:{wp_id}",
                    payload={
                        "wp_id": wp_id,
                        "title": wp.title,
                        "mission_slug": view.slug,
                        "dependencies": list(wp.dependencies),
                    },
                )
            )
            change.moves.append(Move(wp_id=wp_id, from_lane=None, to_lane="planned", actor=actor))
        seeded = [m.wp_id for m in change.moves]
        change.result = {
            **_mission_payload(view),
            "work_packages": sorted(view.wps),
            "seeded": seeded,
            "already_seeded": [w for w in sorted(view.wps) if w not in seeded],
        }
        return change

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result


def accept_mission(host: Host, mission: str, actor: str) -> dict[str, Any]:
    """Every WP approved or done: record the acceptance in meta.json and emit MissionClosed."""
    from ._api_write import _required

    _required("actor", actor)

    def decide(view: MissionView) -> Change:
        lanes = {wp_id: view.lane(wp_id) for wp_id in view.wp_ids()}
        incomplete = [
            {"wp_id": w, "lane": lane} for w, lane in lanes.items() if lane not in ACCEPTED_LANES
        ]
        if incomplete or not lanes:
            names = ", ".join(f"{i['wp_id']} ({i['lane']})" for i in incomplete)
            raise MissionNotReadyError(
                f"Mission {view.slug} is not ready: "
                + (names + " not approved or done" if lanes else "it has no work packages"),
                details={"mission_slug": view.slug, "incomplete_wps": incomplete},
            )
        ident = view.identity
        approved = [w for w, lane in lanes.items() if lane == "approved"]
        result = {
            **_mission_payload(view),
            "accepted": True,
            "mode": "auto",
            "accepted_wps": sorted(lanes),
            "approved_wps": approved,
            "done_wps": [w for w, lane in lanes.items() if lane == "done"],
            "merge_pending_wps": approved,
        }
        if ident.accepted_at is not None:
            return Change(result={**result, "accepted_at": ident.accepted_at, "no_op": True})
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        meta = ident.replace(
            accepted_at=stamp, accepted_by=actor.strip(), acceptance_mode=ACCEPTANCE_MODE
        )
        closed = SinkEvent(
            event_type="MissionClosed",
            aggregate_type="Mission",
            aggregate_id=view.mission_id,
            payload=_mission_payload(view),
        )
        return Change(
            meta=meta, after=[closed], result={**result, "accepted_at": stamp, "no_op": False}
        )

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result
