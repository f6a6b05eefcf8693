"""Where status events go: the library is handed an EventSink and knows no network or queue."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class EventSink(Protocol):
    """Receives every event the status model produces, before the status log is written.

    ``aggregate_type`` is "WorkPackage" (``aggregate_id`` = "<mission_id>:<wp_id>") for
    WPStatusChanged and WPCreated, "Mission" (``aggregate_id`` = mission_id) for MissionClosed.
    Payloads are exactly the 3.0.0 payload keys. Raising refuses the change: nothing is written.
    """

    def emit(
        self, event_type: str, aggregate_type: str, aggregate_id: str, payload: dict[str, Any]
    ) -> None: ...
