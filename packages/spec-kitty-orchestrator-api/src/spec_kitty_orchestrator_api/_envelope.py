"""The orchestrator-api contract 1.0.0 response envelope (exactly seven keys)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CONTRACT_VERSION = "1.0.0"
MIN_PROVIDER_VERSION = "0.1.0"
COMMAND_PREFIX = "orchestrator-api."
UNKNOWN_COMMAND = "unknown"
ERROR_CODES = frozenset(
    {
        "CONTRACT_VERSION_MISMATCH",
        "MISSION_AMBIGUOUS_SELECTOR",
        "MISSION_NOT_FOUND",
        "MISSION_NOT_READY",
        "POLICY_METADATA_REQUIRED",
        "POLICY_VALIDATION_FAILED",
        "PREFLIGHT_FAILED",
        "TRANSITION_REJECTED",
        "UNSUPPORTED_STRATEGY",
        "USAGE_ERROR",
        "WP_ALREADY_CLAIMED",
        "WP_NOT_FOUND",
    }
)
EXIT_OK, EXIT_INFRA, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True, kw_only=True)
class Response:
    """One command's answer: the envelope to print and the process exit code."""

    envelope: dict[str, Any]
    exit_code: int


def new_correlation_id() -> str:
    return "corr-" + uuid.uuid4().hex


def make_envelope(
    command: str,
    *,
    success: bool,
    data: dict[str, Any],
    error_code: str | None = None,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """The seven keys, in contract order."""
    return {
        "contract_version": CONTRACT_VERSION,
        "command": COMMAND_PREFIX + command,
        "timestamp": datetime.now(UTC).isoformat(),
        "correlation_id": correlation_id or new_correlation_id(),
        "success": success,
        "error_code": error_code,
        "data": data,
    }


def error_response(
    command: str, exc: BaseException, *, correlation_id: str | None = None
) -> Response:
    """Render an error as a failure envelope: a structured one with its code and details.

    Codes outside the contract's closed list (status-model and identity errors) are reported as
    USAGE_ERROR, with the original code kept in ``data.cause``.
    """
    from spec_kitty_identity import as_structured  # the error path only: start-up time

    error = as_structured(exc)
    data: dict[str, Any] = dict(error.details) if error else {}
    code = error.code if error else "USAGE_ERROR"
    if code not in ERROR_CODES:
        data["cause"] = code
        code = "USAGE_ERROR"
    message = (error.message if error else "") or str(exc) or code
    data["message"] = message
    fixable = error.operator_fixable if error else True
    env = make_envelope(
        command, success=False, data=data, error_code=code, correlation_id=correlation_id
    )
    return Response(envelope=env, exit_code=EXIT_USAGE if fixable else EXIT_INFRA)


def respond(
    command: str, body: Callable[[], dict[str, Any]], *, correlation_id: str | None = None
) -> Response:
    """Run ``body`` and wrap its data, or its structured error, in the envelope."""
    try:
        data = body()
    except Exception as exc:
        from spec_kitty_identity import as_structured

        if as_structured(exc) is None:
            raise
        return error_response(command, exc, correlation_id=correlation_id)
    env = make_envelope(command, success=True, data=data, correlation_id=correlation_id)
    return Response(envelope=env, exit_code=EXIT_OK)
