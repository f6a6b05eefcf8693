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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._api_close import accept_mission, finalize
    from ._api_write import append_history, start_implementation, start_review, transition
    from ._contract import contract_version
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
    from ._host import Host, list_ready, mission_state
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
    "CONTRACT_VERSION": "._envelope",
    "ContractVersionMismatchError": ".errors",
    "DependenciesNotSatisfiedError": ".errors",
    "ERROR_CODES": "._envelope",
    "EventSink": "._sink",
    "Host": "._host",
    "LANES": "._lanes",
    "LogRead": "._log",
    "MIN_PROVIDER_VERSION": "._envelope",
    "MissionNotReadyError": ".errors",
    "MissionView": "._view",
    "OrchestratorApiError": ".errors",
    "PolicyRequiredError": ".errors",
    "PolicyValidationError": ".errors",
    "PreflightFailedError": ".errors",
    "Reduced": "._reduce",
    "Response": "._envelope",
    "STRATEGIES": "._merge",
    "StatusLegacyError": ".errors",
    "StatusLogError": ".errors",
    "StatusWriteError": ".errors",
    "TERMINAL_LANES": "._lanes",
    "TransitionRejectedError": ".errors",
    "UnsupportedStrategyError": ".errors",
    "UsageError": ".errors",
    "WPAlreadyClaimedError": ".errors",
    "WPFileError": ".errors",
    "WPNotFoundError": ".errors",
    "WPStatus": "._reduce",
    "WorkPackage": "._wpfiles",
    "accept_mission": "._api_close",
    "append_history": "._api_write",
    "check_transition": "._lanes",
    "contract_version": "._contract",
    "error_response": "._envelope",
    "finalize": "._api_close",
    "is_allowed": "._lanes",
    "list_ready": "._host",
    "load_work_packages": "._wpfiles",
    "make_envelope": "._envelope",
    "merge_mission": "._merge",
    "mission_state": "._host",
    "new_correlation_id": "._envelope",
    "open_mission": "._view",
    "read_log": "._log",
    "reduce_events": "._reduce",
    "resolve_lane": "._lanes",
    "respond": "._envelope",
    "start_implementation": "._api_write",
    "start_review": "._api_write",
    "transition": "._api_write",
    "validate_graph": "._wpfiles",
}

__all__ = [  # noqa: RUF022 - plain sorted(), as the convention test checks
    "CONTRACT_VERSION",
    "ContractVersionMismatchError",
    "DependenciesNotSatisfiedError",
    "ERROR_CODES",
    "EventSink",
    "Host",
    "LANES",
    "LogRead",
    "MIN_PROVIDER_VERSION",
    "MissionNotReadyError",
    "MissionView",
    "OrchestratorApiError",
    "PolicyRequiredError",
    "PolicyValidationError",
    "PreflightFailedError",
    "Reduced",
    "Response",
    "STRATEGIES",
    "StatusLegacyError",
    "StatusLogError",
    "StatusWriteError",
    "TERMINAL_LANES",
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
    # Start-up time matters: every name is imported on first use (read-only commands never
    # load the write path, git helpers or PyYAML); importlib.metadata only for __version__.
    if name == "__version__":
        from ._version import __version__

        return __version__
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
