"""spec-kitty-orchestrator-api: the mission status model and the orchestrator-api host commands.

Public API::

    Host, EventSink                          the call context and the event sink protocol
    contract_version, mission_state, list_ready, start_implementation, start_review,
    transition, append_history, accept_mission, merge_mission, finalize
                                             commands: return the `data` dict or raise
    respond, make_envelope, error_response, Response
                                             the contract 1.0.0 seven-key envelope
    LANES, TERMINAL_LANES, resolve_lane, check_transition, is_allowed
    WorkPackage, load_work_packages, validate_graph, read_log, reduce_events, open_mission
    CONTRACT_VERSION, MIN_PROVIDER_VERSION, ERROR_CODES, STRATEGIES
"""

from __future__ import annotations

from typing import Any

from ._api_close import accept_mission, finalize
from ._api_write import append_history, start_implementation, start_review, transition
from ._envelope import (
    CONTRACT_VERSION,
    ERROR_CODES,
    MIN_PROVIDER_VERSION,
    Response,
    error_response,
    make_envelope,
    new_correlation_id,
    respond,
)
from ._host import Host, contract_version, list_ready, mission_state
from ._lanes import LANES, TERMINAL_LANES, check_transition, is_allowed, resolve_lane
from ._log import LogRead, read_log
from ._merge import STRATEGIES, merge_mission
from ._reduce import Reduced, WPStatus, reduce_events
from ._sink import EventSink
from ._view import MissionView, open_mission
from ._wpfiles import WorkPackage, load_work_packages, validate_graph
from .errors import (
    ContractVersionMismatchError,
    DependenciesNotSatisfiedError,
    MissionAmbiguousError,
    MissionNotFoundError,
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

__all__ = [
    "CONTRACT_VERSION",
    "ERROR_CODES",
    "LANES",
    "MIN_PROVIDER_VERSION",
    "STRATEGIES",
    "TERMINAL_LANES",
    "ContractVersionMismatchError",
    "DependenciesNotSatisfiedError",
    "EventSink",
    "Host",
    "LogRead",
    "MissionAmbiguousError",
    "MissionNotFoundError",
    "MissionNotReadyError",
    "MissionView",
    "OrchestratorApiError",
    "PolicyRequiredError",
    "PolicyValidationError",
    "PreflightFailedError",
    "Reduced",
    "Response",
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
    "WorkPackage",
    "__version__",
    "accept_mission",
    "append_history",
    "check_transition",
    "contract_version",
    "error_response",
    "finalize",
    "is_allowed",
    "list_ready",
    "load_work_packages",
    "make_envelope",
    "merge_mission",
    "mission_state",
    "new_correlation_id",
    "open_mission",
    "read_log",
    "reduce_events",
    "resolve_lane",
    "respond",
    "start_implementation",
    "start_review",
    "transition",
    "validate_graph",
]


def __getattr__(name: str) -> Any:
    # importlib.metadata is slow to import: load the version only when someone asks for it.
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
