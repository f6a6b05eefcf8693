from __future__ import annotations

import json
from typing import Any

import pytest

from spec_kitty_orchestrator_api import PolicyRequiredError, PolicyValidationError
from spec_kitty_orchestrator_api._policy import parse_policy

BASE = {
    "orchestrator_id": "spec-kitty-orchestrator",
    "orchestrator_version": "0.1.2",
    "agent_family": "claude",
    "approval_mode": "sandbox",  # enums are not the host's business
    "sandbox_mode": "restricted",
    "network_mode": "none",
    "dangerous_flags": [],
}


def test_valid_policy_records_the_eight_known_keys_only() -> None:
    recorded = parse_policy(json.dumps({**BASE, "extra": "fine"}), required=True)
    assert recorded == {**BASE, "tool_restrictions": None}


def test_required_and_optional() -> None:
    assert parse_policy(None, required=False) is None
    for raw in (None, "", "  "):
        with pytest.raises(PolicyRequiredError):
            parse_policy(raw, required=True)


@pytest.mark.parametrize(
    "policy",
    [
        "{not json",
        "[]",
        {k: v for k, v in BASE.items() if k != "network_mode"},
        {**BASE, "agent_family": 3},
        {**BASE, "dangerous_flags": "--yolo"},
        {**BASE, "dangerous_flags": ["--dangerously-skip-permissions"]},
        {**BASE, "tool_restrictions": ["Read"]},
        {**BASE, "agent_family": "my-api-key"},
        {**BASE, "notes": {"deep": ["a PASSWORD here"]}},
        {**BASE, "orchestrator_id": "monkey"},
    ],
)
def test_invalid_policies(policy: Any) -> None:
    raw = policy if isinstance(policy, str) else json.dumps(policy)
    with pytest.raises(PolicyValidationError) as err:
        parse_policy(raw, required=False)
    assert err.value.code == "POLICY_VALIDATION_FAILED"
