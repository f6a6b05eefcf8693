"""emit_event: the 3.0.0 envelope, the gate before storage, MissionCreated on mission create."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from spec_kitty_events.conformance import validate_event

from spec_kitty_cli._events import (
    ENVELOPE_KEYS,
    SCHEMA_VERSION,
    EventQueue,
    build_envelope,
    checkout_identity,
    emit_event,
    mission_catalog_payload,
    queue_path,
    wp_aggregate_id,
)
from spec_kitty_cli.errors import CliError
from spec_kitty_gate import ContractViolation

CATALOG = {"mission_slug": "001-auth", "mission_number": 1, "mission_type": "software-dev"}


def _stored(root: Path) -> list[dict]:
    with EventQueue(queue_path(root)) as queue:
        return list(queue.iter_envelopes())


def _assert_library_valid(env: dict) -> None:
    result = validate_event(env, "Event", strict=True)
    assert result.valid, result
    if env["event_type"] in ("MissionCreated", "MissionClosed", "WPStatusChanged"):
        payload = validate_event(env["payload"], env["event_type"], strict=True)
        assert payload.valid, payload


def test_emit_builds_full_envelope_and_queues_it(project: Path) -> None:
    env = emit_event(
        project,
        event_type="MissionCreated",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
    )
    assert tuple(sorted(env)) == ENVELOPE_KEYS
    ident = checkout_identity(project)
    assert env["schema_version"] == "3.0.0"
    assert env["build_id"] == ident.build_id
    assert env["node_id"] == ident.node_id != ident.build_id
    assert env["project_uuid"] == ident.project_uuid
    assert env["correlation_id"] == env["event_id"]
    assert env["causation_id"] is None
    assert env["lamport_clock"] == 1
    assert datetime.fromisoformat(env["timestamp"]).utcoffset() is not None
    _assert_library_valid(env)
    assert _stored(project) == [env]


def test_lamport_clock_increases_and_causation_is_kept(project: Path) -> None:
    first = emit_event(
        project,
        event_type="MissionCreated",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
    )
    second = emit_event(
        project,
        event_type="MissionClosed",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
        causation_id=first["event_id"],
        correlation_id=first["correlation_id"],
    )
    assert second["lamport_clock"] == first["lamport_clock"] + 1
    assert second["causation_id"] == first["event_id"]
    assert second["correlation_id"] == first["event_id"]
    _assert_library_valid(second)
    assert [e["event_id"] for e in _stored(project)] == [first["event_id"], second["event_id"]]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"payload": {**CATALOG, "target_branch": "main"}}, "CONTRACT_UNKNOWN_FIELD"),
        ({"payload": {**CATALOG, "mission_number": "001"}}, "CONTRACT_INVALID_TYPE"),
        ({"payload": {**CATALOG, "feature_slug": "001-auth"}}, "CONTRACT_LEGACY_SURFACE"),
        ({"aggregate_type": "Feature"}, "CONTRACT_LEGACY_SURFACE"),
        ({"event_type": "FeatureCreated"}, "CONTRACT_LEGACY_SURFACE"),
        ({"aggregate_type": "Build"}, "CONTRACT_INVALID_VALUE"),
    ],
)
def test_gate_violation_raises_and_stores_nothing(project: Path, changes: dict, code: str) -> None:
    args = {
        "event_type": "MissionCreated",
        "aggregate_type": "Mission",
        "aggregate_id": "01J0000000000000000000000A",
        "payload": CATALOG,
        **changes,
    }
    with pytest.raises(ContractViolation) as info:
        emit_event(project, **args)
    assert info.value.code == code
    assert _stored(project) == []


def test_wp_status_changed_payload_round_trips(project: Path) -> None:
    payload = {
        "mission_slug": "001-auth",
        "wp_id": "WP01",
        "from_lane": "planned",
        "to_lane": "claimed",
        "actor": "agent-1",
        "force": False,
        "reason": None,
        "execution_mode": "worktree",
        "review_ref": None,
        "evidence": None,
    }
    env = emit_event(
        project,
        event_type="WPStatusChanged",
        aggregate_type="WorkPackage",
        aggregate_id=wp_aggregate_id("01J0000000000000000000000A", "WP01"),
        payload=payload,
    )
    assert env["aggregate_id"] == "01J0000000000000000000000A:WP01"
    assert env["payload"] == payload
    _assert_library_valid(env)
    with pytest.raises(ContractViolation):
        emit_event(
            project,
            event_type="WPStatusChanged",
            aggregate_type="WorkPackage",
            aggregate_id="01J0000000000000000000000A:WP01",
            payload={**payload, "to_lane": "done"},  # done needs evidence
        )


def test_payload_is_copied_and_must_be_json(project: Path) -> None:
    payload = dict(CATALOG)
    env = emit_event(
        project,
        event_type="MissionCreated",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=payload,
    )
    payload["mission_slug"] = "changed"
    assert env["payload"]["mission_slug"] == "001-auth"
    with pytest.raises(CliError) as info:
        emit_event(
            project,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id="01J0000000000000000000000A",
            payload={**CATALOG, "mission_number": {1, 2}},
        )
    assert info.value.code == "EVENT_PAYLOAD_NOT_JSON"


def test_build_envelope_refuses_naive_timestamp_and_non_object(project: Path) -> None:
    ident = checkout_identity(project)
    with pytest.raises(CliError) as info:
        build_envelope(
            ident,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id="x",
            payload=CATALOG,
            lamport_clock=1,
            timestamp=datetime(2026, 1, 1),
        )
    assert info.value.code == "EVENT_TIMESTAMP_NAIVE"
    with pytest.raises(CliError):
        build_envelope(
            ident,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id="x",
            payload=[1, 2],  # type: ignore[arg-type]
            lamport_clock=1,
        )


def test_identity_cache_follows_config_changes(project: Path) -> None:
    from spec_kitty_identity import set_config_section

    first = checkout_identity(project)
    set_config_section(project, "project", {"uuid": first.project_uuid, "slug": "renamed-slug"})
    assert checkout_identity(project).project_slug == "renamed-slug"


def test_agent_mission_create_queues_mission_created(project: Path, run_cli) -> None:
    res = run_cli("agent", "mission", "create", "User auth flow", "--json", cwd=project)
    assert res.exit_code == 0, res.stderr
    data = res.json()
    env, *dossier = _stored(project)
    assert env["event_type"] == "MissionCreated"
    # then the dossier pipeline: meta.json, spec.md, tasks/README.md indexed; plan.md and
    # tasks.md (required by software-dev) missing; one snapshot. All strictly valid.
    assert [e["event_type"] for e in dossier] == ["MissionDossierArtifactIndexed"] * 3 + [
        "MissionDossierArtifactMissing"
    ] * 2 + ["MissionDossierSnapshotComputed"]
    assert data["dossier"]["missing"] == ["plan.md", "tasks.md"]
    for event in dossier:
        assert event["aggregate_type"] == "MissionDossier"
        assert event["aggregate_id"] == f"{data['mission_id']}:dossier"
        _assert_library_valid(event)
    assert env["aggregate_type"] == "Mission"
    assert env["aggregate_id"] == data["mission_id"]
    assert env["payload"] == {
        "mission_slug": "001-user-auth-flow",
        "mission_number": 1,
        "mission_type": "software-dev",
    }
    meta = json.loads(Path(data["meta_file"]).read_text())
    assert env["payload"] == {
        k: meta[k] for k in ("mission_slug", "mission_number", "mission_type")
    }
    _assert_library_valid(env)
    show = run_cli("identity", "show", "--json", cwd=project).json()
    assert env["build_id"] == show["build"]["id"]


def test_mission_catalog_payload_is_exactly_three_keys(project: Path, run_cli) -> None:
    from spec_kitty_identity import resolve_mission

    run_cli("agent", "mission", "create", "Docs", "--mission-type", "documentation", cwd=project)
    ref = resolve_mission(project, "001-docs")
    assert mission_catalog_payload(ref.identity) == {
        "mission_slug": "001-docs",
        "mission_number": 1,
        "mission_type": "documentation",
    }


def test_queue_file_is_untracked(project: Path, run_cli) -> None:
    run_cli("agent", "mission", "create", "Untracked", cwd=project)
    assert queue_path(project).is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", ".kittify"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert status == ""
    with contextlib.closing(sqlite3.connect(queue_path(project))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _emit_in_child(root: str) -> None:
    emit_event(
        Path(root),
        event_type="MissionClosed",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
    )


def test_cached_queue_survives_close_and_fork(project: Path) -> None:
    import multiprocessing

    from spec_kitty_cli._events._emit import close_queues

    first = emit_event(
        project,
        event_type="MissionCreated",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
    )
    child = multiprocessing.get_context("fork").Process(target=_emit_in_child, args=(str(project),))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    close_queues()
    third = emit_event(
        project,
        event_type="MissionClosed",
        aggregate_type="Mission",
        aggregate_id="01J0000000000000000000000A",
        payload=CATALOG,
    )
    stored = _stored(project)
    assert [e["event_type"] for e in stored] == ["MissionCreated", "MissionClosed", "MissionClosed"]
    assert stored[0] == first and stored[2] == third
    assert sorted(e["lamport_clock"] for e in stored) == [1, 2, 3]
