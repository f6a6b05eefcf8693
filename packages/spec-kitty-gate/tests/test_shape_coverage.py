"""Shape coverage: every field of the envelope and of the MissionCreated, MissionClosed and
WPStatusChanged payloads has at least one accept and one reject case.

The field lists are read from the contract artifact, so a field added there cannot slip by
untested: the coverage tests at the bottom fail until cases exist for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from spec_kitty_gate import ContractViolation, check

D = object()  # remove the field
ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"

# field -> (accepted values, rejected values), applied to a valid WPStatusChanged envelope.
ENVELOPE: dict[str, tuple[list[Any], list[Any]]] = {
    "aggregate_id": (["mission/001-demo-mission", "WP01"], ["", 5, None, D, "feature/x"]),
    "aggregate_type": (["Mission", "MissionDossier"], ["Feature", "Build", "mission", None, D]),
    "build_id": ([UUID, "checkout-1"], ["", "   ", None, 1, D]),
    "causation_id": ([ULID, UUID, UUID.replace("-", ""), D], ["not-an-id", "", 12]),
    "correlation_id": ([ULID, UUID.upper()], ["corr-1", "01ARZ3NDEKTSV4RRFFQ69G5FAI", None, D]),
    "data_tier": ([0, 4, D], [5, -1, "0", True]),
    "event_id": ([ULID.lower(), UUID.replace("-", "")], ["", "u" * 26, "0" * 27, 26, None, D]),
    "event_type": (["WPStatusChanged"], ["", " ", 3, None, D, "FeatureClosed"]),
    "git_branch": (["001-demo-mission-WP01", None, D], ["", 3]),
    "head_commit_sha": (["0123456789abcdef0123456789abcdef01234567", None, D], ["xyz", ""]),
    "lamport_clock": ([0, 10**12], [-1, 1.0, "1", True, None, D]),
    "node_id": (["node-1", UUID], ["", "\t", None, D]),
    "payload": ([], [[], "x", None, D]),
    "project_slug": (["demo", None, D], [3, []]),
    "project_uuid": ([UUID.upper()], ["not-a-uuid", UUID.replace("-", "") + "z", 1, None, D]),
    "repo_slug": (["acme/demo", None, D], ["", 1]),
    "schema_version": (["3.0.0"], ["3.0.1", "2.9.0", "3", 3, None, D]),
    "team_slug": (["acme", None, D], ["", False]),
    "timestamp": (
        ["2026-01-15T10:00:00Z", "2026-01-15T12:00:00.123456+02:00"],
        ["2026-01-15T10:00:00", "2026-01-15", "yesterday", 1700000000, None, D],
    ),
}

WP_STATUS_CHANGED: dict[str, tuple[list[Any], list[Any]]] = {
    "actor": (["bob"], ["", 1, None, D]),
    "evidence": (
        [
            {
                "repos": [{"repo": "r", "branch": "b", "commit": "c"}],
                "review": {"reviewer": "a", "verdict": "ok"},
            }
        ],
        [None, D, {"repos": [], "review": {"reviewer": "a", "verdict": "ok"}}, {"repos": [{}]}],
    ),
    "execution_mode": (["direct_repo"], ["sandbox", None, D]),
    "force": ([False, D], ["yes", 1, None]),
    "from_lane": ([None, "approved", D], ["in_review", "doing", ""]),
    "mission_slug": (["002-other"], ["", " ", None, D]),
    "reason": (["because", None, D], [5, []]),
    "review_ref": (["PR-9", None, D], [9]),
    "to_lane": (["approved"], ["doing", "in_review", "cancelled", None, D]),
    "wp_id": (["WP02"], ["", None, D]),
}

CATALOG: dict[str, tuple[list[Any], list[Any]]] = {
    "mission_number": ([1, 64], [0, -1, "064", 1.5, True, None, D]),
    "mission_slug": (["064-mission-cutover"], ["", "  ", 64, None, D]),
    "mission_type": (["research"], ["", None, 3, D]),
}


def _set(doc: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    if value is D:
        doc.pop(key, None)
    else:
        doc[key] = value
    return doc


def _cases(table: dict[str, tuple[list[Any], list[Any]]], ok: bool) -> list[Any]:
    return [
        pytest.param(field, value, id=f"{field}={'<removed>' if value is D else repr(value)}")
        for field, (good, bad) in table.items()
        for value in (good if ok else bad)
    ]


@pytest.mark.parametrize(("field", "value"), _cases(ENVELOPE, ok=True))
def test_envelope_accepts(kit, field: str, value: Any) -> None:
    check("event", _set(kit.wp_status_changed(), field, value))


@pytest.mark.parametrize(("field", "value"), _cases(ENVELOPE, ok=False))
def test_envelope_rejects(kit, field: str, value: Any) -> None:
    with pytest.raises(ContractViolation) as info:
        check("event", _set(kit.wp_status_changed(), field, value))
    assert info.value.path.startswith("$." + field) or (
        field == "payload" and info.value.path == "$"
    )


@pytest.mark.parametrize(("field", "value"), _cases(WP_STATUS_CHANGED, ok=True))
def test_wp_status_changed_accepts(kit, field: str, value: Any) -> None:
    env = kit.wp_status_changed()
    _set(env["payload"], field, value)
    if field == "to_lane" or (field == "from_lane" and value is None):
        pass
    check("event", env)


@pytest.mark.parametrize(("field", "value"), _cases(WP_STATUS_CHANGED, ok=False))
def test_wp_status_changed_rejects(kit, field: str, value: Any) -> None:
    env = kit.wp_status_changed()
    _set(env["payload"], field, value)
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert info.value.path.startswith("$.payload")


def test_forced_transition_needs_a_reason(kit) -> None:
    env = kit.wp_status_changed()
    env["payload"].update(force=True, reason="hotfix")
    check("event", env)
    for reason in (None, "", "   "):
        env["payload"]["reason"] = reason
        with pytest.raises(ContractViolation) as info:
            check("event", env)
        assert info.value.code == "CONTRACT_RULE_VIOLATION"
        assert info.value.rule == "force_requires_reason"
        assert info.value.path == "$.payload.reason"
    del env["payload"]["reason"]
    with pytest.raises(ContractViolation, match="force_requires_reason"):
        check("event", env)


@pytest.mark.parametrize("lane", ["approved", "done"])
def test_approved_and_done_need_evidence(kit, lane: str) -> None:
    env = kit.wp_status_changed()
    env["payload"].update(to_lane=lane, evidence=None)
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert info.value.code == "CONTRACT_RULE_VIOLATION"
    assert info.value.rule == "approved_or_done_requires_evidence"


@pytest.mark.parametrize("event_type", ["MissionCreated", "MissionClosed"])
@pytest.mark.parametrize(("field", "value"), _cases(CATALOG, ok=True))
def test_catalog_accepts(kit, event_type: str, field: str, value: Any) -> None:
    env = kit.mission_created(event_type)
    _set(env["payload"], field, value)
    check("event", env)


@pytest.mark.parametrize("event_type", ["MissionCreated", "MissionClosed"])
@pytest.mark.parametrize(("field", "value"), _cases(CATALOG, ok=False))
def test_catalog_rejects(kit, event_type: str, field: str, value: Any) -> None:
    env = kit.mission_created(event_type)
    _set(env["payload"], field, value)
    with pytest.raises(ContractViolation):
        check("event", env)


@pytest.mark.parametrize("extra", ["target_branch", "wp_count", "friendly_name", "created_at"])
def test_catalog_payload_is_exactly_three_keys(kit, extra: str) -> None:
    env = kit.mission_created()
    env["payload"][extra] = "x"
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert info.value.code == "CONTRACT_UNKNOWN_FIELD"
    assert info.value.path == f"$.payload.{extra}"


def _fields(kit, schema: dict[str, Any]) -> set[str]:
    return set(schema["properties"])


def _covered(table: dict[str, tuple[list[Any], list[Any]]]) -> tuple[set[str], set[str]]:
    return {f for f, (good, _) in table.items() if good or f == "payload"}, {
        f for f, (_, bad) in table.items() if bad
    }


def test_every_envelope_field_is_covered(kit) -> None:
    fields = _fields(kit, kit.artifact()["surfaces"]["event"]["schema"])
    accepted, rejected = _covered(ENVELOPE)
    assert fields - rejected == set(), "envelope fields without a reject case"
    # payload is accepted by every valid sample (the WPStatusChanged payload above).
    assert fields - accepted == set(), "envelope fields without an accept case"


@pytest.mark.parametrize(
    ("schema_name", "table"),
    [
        ("status_transition_payload", WP_STATUS_CHANGED),
        ("mission_created_payload", CATALOG),
        ("mission_closed_payload", CATALOG),
    ],
)
def test_every_payload_field_is_covered(kit, schema_name: str, table: Any) -> None:
    fields = _fields(kit, kit.artifact()["library"]["schemas"][schema_name])
    accepted, rejected = _covered(table)
    assert fields - accepted == set()
    assert fields - rejected == set()
