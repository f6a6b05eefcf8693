"""spec-kitty-orchestrator-api: the mission status model and the orchestrator-api host commands.

Public API::

    Host, EventSink, StampedEvent, SinkEvent the call context, the sink protocol, its events
    contract_version, mission_state, list_ready, start_implementation, start_review,
    transition, append_history, accept_mission, merge_mission, finalize, record_events
                                             commands: return the `data` dict or raise
    respond, make_envelope, error_response, new_correlation_id, Response, ERROR_CODES
                                             the contract 1.0.0 seven-key envelope
    OrchestratorApiError and its subclasses  the structured errors a command raises
    open_mission, MissionView, LogRead, Reduced, WPStatus, LANES
                                             a read-only view of a mission (the dashboard's)
    log_state_of, extend_view                keep a view up to date after lines are appended
                                             (the fold the read commands' status cache uses)
    scan_log, LogScan, LogProblem, load_work_packages
                                             every problem of a status log, the WP files
                                             (`spec-kitty doctor`'s health checks)
    iter_stamped                             a status log's stamped events (streamed; reconcile)

Only what another package or a user calls is exported; the status model's parts (log reader,
reducer, transition table, WP files) are private modules. ``LANES`` is spec_kitty_identity's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spec_kitty_identity import LANES

    from ._api_close import accept_mission, finalize, record_events
    from ._api_write import append_history, start_implementation, start_review, transition
    from ._contract import contract_version
    from ._envelope import (
        ERROR_CODES,
        Response,
        error_response,
        make_envelope,
        new_correlation_id,
        respond,
    )
    from ._fold import extend_view, log_state_of
    from ._host import Host, list_ready, mission_state
    from ._log import LogRead
    from ._logscan import LogProblem, LogScan, scan_log
    from ._merge import merge_mission
    from ._reduce import Reduced, WPStatus
    from ._sink import EventSink, StampedEvent
    from ._store import SinkEvent
    from ._stream import iter_stamped
    from ._view import MissionView, open_mission
    from ._wpfiles import load_work_packages
    from .errors import (
        ContractVersionMismatchError,
        DependenciesNotSatisfiedError,
        MissionNotReadyError,
        OrchestratorApiError,
        PolicyRequiredError,
        PolicyValidationError,
        PreflightFailedError,
        StatusLegacyError,
        StatusLogError,
        StatusWriteError,
        TransitionRejectedError,
        UnsupportedStrategyError,
        UsageError,
        WPAlreadyClaimedError,
        WPFileError,
        WPNotFoundError,
    )

_LAZY: dict[str, str] = {
    "__version__": "._version",
    "LANES": "spec_kitty_identity",  # defined once, there
    "MissionView": "._view",
    "LogRead": "._log",
    "Reduced": "._reduce",
    "WPStatus": "._reduce",
    "open_mission": "._view",
    "extend_view": "._fold",
    "log_state_of": "._fold",
    "ContractVersionMismatchError": ".errors",
    "DependenciesNotSatisfiedError": ".errors",
    "ERROR_CODES": "._envelope",
    "EventSink": "._sink",
    "SinkEvent": "._store",
    "StampedEvent": "._sink",
    "iter_stamped": "._stream",
    "record_events": "._api_close",
    "Host": "._host",
    "LogProblem": "._logscan",
    "LogScan": "._logscan",
    "MissionNotReadyError": ".errors",
    "OrchestratorApiError": ".errors",
    "PolicyRequiredError": ".errors",
    "PolicyValidationError": ".errors",
    "PreflightFailedError": ".errors",
    "Response": "._envelope",
    "StatusLegacyError": ".errors",
    "StatusLogError": ".errors",
    "StatusWriteError": ".errors",
    "TransitionRejectedError": ".errors",
    "UnsupportedStrategyError": ".errors",
    "UsageError": ".errors",
    "WPAlreadyClaimedError": ".errors",
    "WPFileError": ".errors",
    "WPNotFoundError": ".errors",
    "accept_mission": "._api_close",
    "append_history": "._api_write",
    "contract_version": "._contract",
    "error_response": "._envelope",
    "finalize": "._api_close",
    "list_ready": "._host",
    "make_envelope": "._envelope",
    "merge_mission": "._merge",
    "mission_state": "._host",
    "new_correlation_id": "._envelope",
    "load_work_packages": "._wpfiles",
    "scan_log": "._logscan",
    "respond": "._envelope",
    "start_implementation": "._api_write",
    "start_review": "._api_write",
    "transition": "._api_write",
}

__all__ = [  # noqa: RUF022 - plain sorted(), as the convention test checks
    "ContractVersionMismatchError",
    "DependenciesNotSatisfiedError",
    "ERROR_CODES",
    "EventSink",
    "Host",
    "LANES",
    "LogProblem",
    "LogRead",
    "LogScan",
    "MissionNotReadyError",
    "MissionView",
    "OrchestratorApiError",
    "PolicyRequiredError",
    "PolicyValidationError",
    "PreflightFailedError",
    "Reduced",
    "Response",
    "SinkEvent",
    "StampedEvent",
    "StatusLegacyError",
    "StatusLogError",
    "StatusWriteError",
    "TransitionRejectedError",
    "UnsupportedStrategyError",
    "UsageError",
    "WPAlreadyClaimedError",
    "WPFileError",
    "WPNotFoundError",
    "WPStatus",
    "__version__",
    "accept_mission",
    "append_history",
    "contract_version",
    "error_response",
    "extend_view",
    "finalize",
    "iter_stamped",
    "list_ready",
    "load_work_packages",
    "log_state_of",
    "make_envelope",
    "merge_mission",
    "mission_state",
    "new_correlation_id",
    "open_mission",
    "record_events",
    "respond",
    "scan_log",
    "start_implementation",
    "start_review",
    "transition",
]


def __getattr__(name: str) -> Any:
    # Start-up time matters: every name is imported on first use (read-only commands never load
    # the write path, git helpers or PyYAML; importlib.metadata only for __version__).
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
