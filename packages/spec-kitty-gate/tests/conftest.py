"""Valid documents for every spec-kitty-gate surface (the tests mutate copies of these)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest

DELETE = object()


def artifact() -> dict[str, Any]:
    text = resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def wp_status_changed() -> dict[str, Any]:
    """A typical mission-era WPStatusChanged envelope (for_review -> done, with evidence)."""
    return {
        "aggregate_id": "WP01",
        "aggregate_type": "WorkPackage",
        "build_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "causation_id": None,
        "correlation_id": "01JMYYYYYYYYYYYYYYYYYYYYYY",
        "data_tier": 0,
        "event_id": "01JMXXXXXXXXXXXXXXXXXXXXXX",
        "event_type": "WPStatusChanged",
        "git_branch": "main",
        "head_commit_sha": "3a0e4af",
        "lamport_clock": 7,
        "node_id": "a1b2c3d4e5f6",
        "payload": {
            "actor": "claude",
            "evidence": {
                "repos": [
                    {
                        "branch": "001-x-WP01",
                        "commit": "abc1234",
                        "files_touched": ["a.py"],
                        "repo": "r",
                    }
                ],
                "review": {"reference": "PR-1", "reviewer": "alice", "verdict": "approved"},
                "verification": [{"command": "pytest", "result": "passed", "summary": None}],
            },
            "execution_mode": "worktree",
            "force": False,
            "from_lane": "for_review",
            "mission_slug": "001-demo-mission",
            "reason": None,
            "review_ref": "PR-1",
            "to_lane": "done",
            "wp_id": "WP01",
        },
        "project_slug": "demo",
        "project_uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "repo_slug": "acme/demo",
        "schema_version": "3.0.0",
        "team_slug": "acme",
        "timestamp": "2026-01-15T10:00:00+00:00",
    }


def mission_created(event_type: str = "MissionCreated") -> dict[str, Any]:
    env = wp_status_changed()
    env.update(aggregate_id="001-demo-mission", aggregate_type="Mission", event_type=event_type)
    env["payload"] = {
        "mission_number": 1,
        "mission_slug": "001-demo-mission",
        "mission_type": "software-dev",
    }
    return env


SAMPLES: dict[str, Any] = {
    "body_upload": {
        "artifact_path": "spec.md",
        "content_body": "# Spec\n",
        "content_hash": "a" * 64,
        "hash_algorithm": "sha256",
        "manifest_version": "1",
        "mission_slug": "001-demo-mission",
        "mission_type": "software-dev",
        "project_uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "target_branch": "main",
    },
    "event": wp_status_changed(),
    "event_batch": {"events": [wp_status_changed(), mission_created()]},
    "heartbeat": {"build_id": "b-1", "timestamp": "2026-01-15T10:00:00Z", "type": "pong"},
    "orchestrator_response": {
        "command": "orchestrator-api.mission-state",
        "contract_version": "1.0.0",
        "correlation_id": "corr-0f8fad5bd9cb469fa16570867728950e",
        "data": {"mission_slug": "001-demo-mission", "summary": {}, "work_packages": []},
        "error_code": None,
        "success": True,
        "timestamp": "2026-01-15T10:00:00+00:00",
    },
    "status_snapshot": {
        "event_count": 2,
        "mission_number": 1,
        "mission_slug": "001-demo-mission",
        "mission_type": "software-dev",
        "summary": {"done": 1, "planned": 1},
        "work_packages": {"WP01": {"force_count": 0, "lane": "done"}, "WP02": {"lane": "planned"}},
    },
    "tracker_bind": {
        "build_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "node_id": "a1b2c3d4e5f6",
        "repo_slug": "acme/demo",
        "slug": "demo",
        "uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    },
}


def sample(surface: str) -> Any:
    return copy.deepcopy(SAMPLES[surface])


def mutate(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``document`` with ``path`` set to ``value`` (or removed for DELETE)."""
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


@pytest.fixture
def envelope() -> dict[str, Any]:
    return wp_status_changed()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above, for test modules (conftest is not importable under importlib mode)."""
    return SimpleNamespace(
        DELETE=DELETE,
        SAMPLES=SAMPLES,
        artifact=artifact,
        mission_created=mission_created,
        mutate=mutate,
        sample=sample,
        wp_status_changed=wp_status_changed,
    )
