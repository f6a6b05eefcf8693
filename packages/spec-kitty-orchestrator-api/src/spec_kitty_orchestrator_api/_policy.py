"""`--policy`: the orchestrator's policy metadata, validated before anything else happens.

Required keys: orchestrator_id, orchestrator_version, agent_family, approval_mode, sandbox_mode,
network_mode (strings) and dangerous_flags (a list of strings without a banned flag);
tool_restrictions is optional (string or null). No string anywhere may look like a secret.
Enum values are not checked (the client checks its own). Only the eight known keys are recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import PolicyRequiredError, PolicyValidationError

STRING_KEYS = (
    "orchestrator_id",
    "orchestrator_version",
    "agent_family",
    "approval_mode",
    "sandbox_mode",
    "network_mode",
)
BANNED_FLAGS = frozenset(
    {
        "--full-auto",
        "--yolo",
        "--dangerously-bypass-approvals-and-sandbox",
        "--dangerously-skip-permissions",
    }
)
_SECRET = re.compile(r"token|secret|key|password|credential", re.IGNORECASE)


def json_object_option(raw: str, fail: Callable[..., Exception]) -> dict[str, Any]:
    """A JSON-object option (--policy, --evidence-json), bounded; ``fail(message, **details)``."""
    from spec_kitty_identity import MAX_OPTION_BYTES, InputRejected, loads_json

    try:
        data = loads_json(raw, max_bytes=MAX_OPTION_BYTES)
    except InputRejected as exc:
        raise fail(exc.message, **exc.details) from exc
    except ValueError as exc:
        raise fail(f"not valid JSON ({exc})", parse_error=str(exc)) from exc
    if not isinstance(data, dict):
        raise fail("must be a JSON object")
    return data


def _fail(message: str, **details: Any) -> PolicyValidationError:
    return PolicyValidationError(f"Invalid --policy: {message}", details=details)


def _scan_secrets(value: Any, path: str) -> None:
    if isinstance(value, str):
        if _SECRET.search(value):
            raise _fail(
                f"{path} looks like a secret; policy values must not carry secrets", key=path
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _scan_secrets(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scan_secrets(item, f"{path}[{index}]")


def parse_policy(raw: str | None, *, required: bool) -> dict[str, Any] | None:
    """The validated policy dict (eight known keys), or None when absent and optional."""
    if raw is None or not raw.strip():
        if required:
            raise PolicyRequiredError(
                "This command requires --policy (the orchestrator's policy metadata JSON)",
                details={"required_keys": [*STRING_KEYS, "dangerous_flags"]},
            )
        return None
    data = json_object_option(raw, _fail)
    missing = [k for k in (*STRING_KEYS, "dangerous_flags") if k not in data]
    if missing:
        raise _fail(f"missing required key(s): {', '.join(missing)}", missing=missing)
    for key in STRING_KEYS:
        if not isinstance(data[key], str):
            raise _fail(f"`{key}` must be a string", key=key)
    flags = data["dangerous_flags"]
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise _fail("`dangerous_flags` must be a list of strings", key="dangerous_flags")
    banned = sorted(set(flags) & BANNED_FLAGS)
    if banned:
        raise _fail(f"dangerous flag(s) not allowed: {', '.join(banned)}", banned=banned)
    restrictions = data.get("tool_restrictions")
    if restrictions is not None and not isinstance(restrictions, str):
        raise _fail("`tool_restrictions` must be a string or null", key="tool_restrictions")
    for key, value in data.items():
        _scan_secrets(value, str(key))
    recorded = {key: data[key] for key in STRING_KEYS}
    recorded["dangerous_flags"] = list(flags)
    recorded["tool_restrictions"] = restrictions
    return recorded
