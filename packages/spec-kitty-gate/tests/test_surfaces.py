"""Accept and reject cases for every surface and rule of the spec-kitty contract."""

from __future__ import annotations

from typing import Any

import pytest

from spec_kitty_gate import ContractViolation, check

LEGACY = "CONTRACT_LEGACY_SURFACE"


def _code(surface: str, doc: Any) -> tuple[str, str, str]:
    with pytest.raises(ContractViolation) as info:
        check(surface, doc)
    return info.value.code, info.value.path, info.value.rule


@pytest.mark.parametrize("surface", ["event", "event_batch", "tracker_bind", "heartbeat"])
@pytest.mark.parametrize("doc", [None, [], "x", 3, True])
def test_non_object_documents_are_rejected(surface: str, doc: Any) -> None:
    assert _code(surface, doc)[0] == "CONTRACT_INVALID_TYPE"


# -- event ---------------------------------------------------------------------------------
def test_schema_version_is_checked_first(kit) -> None:
    env = kit.mutate(kit.sample("event"), ("schema_version",), kit.DELETE)
    env["feature_slug"] = "x"
    assert _code("event", env) == ("CONTRACT_SCHEMA_VERSION", "$.schema_version", "cutover_signal")


@pytest.mark.parametrize("name", ["FeatureCreated", "FeatureClosed", "FeatureCompleted"])
def test_legacy_event_types(kit, name: str) -> None:
    assert _code("event", kit.mutate(kit.sample("event"), ("event_type",), name))[:2] == (
        LEGACY,
        "$.event_type",
    )


@pytest.mark.parametrize("aggregate_id", ["feature/001-x", "feature_catalog/all", "feature"])
def test_legacy_aggregate_ids(kit, aggregate_id: str) -> None:
    doc = kit.mutate(kit.sample("event"), ("aggregate_id",), aggregate_id)
    assert _code("event", doc) == (LEGACY, "$.aggregate_id", "deny.aggregate_id")


def test_aggregate_id_prefix_match_is_exact(kit) -> None:
    for ok in ("features/x", "Feature/x", "mission/feature"):
        check("event", kit.mutate(kit.sample("event"), ("aggregate_id",), ok))


def test_legacy_aggregate_type(kit) -> None:
    doc = kit.mutate(kit.sample("event"), ("aggregate_type",), "Feature")
    assert _code("event", doc)[:2] == (LEGACY, "$.aggregate_type")


@pytest.mark.parametrize(
    "path",
    [
        ("feature_slug",),
        ("payload", "feature_number"),
        ("payload", "evidence", "mission_key"),
        ("payload", "evidence", "review", "feature_type"),
    ],
)
def test_legacy_keys_at_any_depth(kit, path: tuple[str, ...]) -> None:
    code, where, rule = _code("event", kit.mutate(kit.sample("event"), path, "x"))
    assert (code, rule) == (LEGACY, "deny.keys")
    assert where == "$." + ".".join(path)


def test_unknown_envelope_key(kit) -> None:
    doc = kit.mutate(kit.sample("event"), ("drain_blocked_reason",), "x")
    assert _code("event", doc) == (
        "CONTRACT_UNKNOWN_FIELD",
        "$.drain_blocked_reason",
        "additionalProperties",
    )


def test_wp_status_fields_are_never_flattened_onto_the_envelope(kit) -> None:
    assert _code("event", kit.mutate(kit.sample("event"), ("to_lane",), "done"))[0] == (
        "CONTRACT_UNKNOWN_FIELD"
    )


def test_wp_status_changed_rejects_catalog_fields(kit) -> None:
    doc = kit.mutate(kit.sample("event"), ("payload", "mission_number"), 1)
    assert _code("event", doc)[:2] == ("CONTRACT_UNKNOWN_FIELD", "$.payload.mission_number")


def test_cli_event_types(kit) -> None:
    env = kit.sample("event")
    env.update(event_type="WPCreated")
    env["payload"] = {
        "dependencies": ["WP00"],
        "mission_slug": "001-x",
        "title": "t",
        "wp_id": "WP01",
    }
    check("event", env)
    env["payload"]["dependencies"] = ["WP00", ""]
    assert _code("event", env)[1] == "$.payload.dependencies[1]"
    env["payload"] = {"title": "t", "wp_id": "WP01"}
    assert _code("event", env) == ("CONTRACT_MISSING_FIELD", "$.payload.mission_slug", "required")


def test_unknown_event_types_get_envelope_and_wire_checks(kit) -> None:
    env = kit.sample("event")
    env.update(event_type="HistoryAdded")
    env["payload"] = {"anything": [{"goes": 1}], "mission_slug": "001-x"}
    check("event", env)
    env["payload"]["mission_slug"] = " "
    assert _code("event", env)[1] == "$.payload.mission_slug"
    env["payload"] = {"anything": [{"deep": {"mission_key": 1}}]}
    assert _code("event", env) == (LEGACY, "$.payload.anything[0].deep.mission_key", "deny.keys")
    del env["payload"]
    check("event", env)


def test_missing_payload_of_a_typed_event(kit) -> None:
    env = kit.mutate(kit.mission_created(), ("payload",), kit.DELETE)
    assert _code("event", env)[0] == "CONTRACT_MISSING_FIELD"


def test_library_payload_types_other_than_mission_ones(kit) -> None:
    env = kit.sample("event")
    env.update(event_type="GateFailed", aggregate_type="Mission")
    env["payload"] = {
        "check_run_id": 1, "check_run_url": "https://example.com/r/1", "conclusion": "failure",
        "delivery_id": "d", "external_provider": "github", "gate_name": "ci", "gate_type": "ci",
    }  # fmt: skip
    check("event", env)
    env["payload"]["check_run_url"] = "not a url"
    assert _code("event", env)[:2] == ("CONTRACT_INVALID_VALUE", "$.payload.check_run_url")


# -- event_batch ---------------------------------------------------------------------------
def test_event_batch(kit) -> None:
    check("event_batch", {"events": []})
    assert _code("event_batch", {})[0] == "CONTRACT_MISSING_FIELD"
    assert _code("event_batch", {"events": {}})[0] == "CONTRACT_INVALID_TYPE"
    assert _code("event_batch", {"events": [], "extra": 1})[0] == "CONTRACT_UNKNOWN_FIELD"
    assert _code("event_batch", {"events": [], "feature_slug": 1})[0] == LEGACY
    doc = kit.sample("event_batch")
    doc["events"].append(kit.mutate(kit.wp_status_changed(), ("build_id",), ""))
    assert _code("event_batch", doc)[1] == "$.events[2].build_id"
    doc["events"][2] = "not an event"
    assert _code("event_batch", doc) == ("CONTRACT_INVALID_TYPE", "$.events[2]", "type")


# -- tracker_bind, body_upload, heartbeat --------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("uuid", "nope", "CONTRACT_INVALID_VALUE"),
        ("build_id", "", "CONTRACT_INVALID_VALUE"),
        ("node_id", None, "CONTRACT_INVALID_TYPE"),
        ("repo_slug", " ", "CONTRACT_INVALID_VALUE"),
        ("slug", 1, "CONTRACT_INVALID_TYPE"),
        ("feature_slug", "x", LEGACY),
        ("provider", "jira", "CONTRACT_UNKNOWN_FIELD"),
    ],
)
def test_tracker_bind(kit, field: str, value: Any, code: str) -> None:
    assert _code("tracker_bind", kit.mutate(kit.sample("tracker_bind"), (field,), value))[0] == code


@pytest.mark.parametrize("field", ["uuid", "slug", "node_id", "repo_slug", "build_id"])
def test_tracker_bind_requires_every_identity_key(kit, field: str) -> None:
    doc = kit.mutate(kit.sample("tracker_bind"), (field,), kit.DELETE)
    assert _code("tracker_bind", doc) == ("CONTRACT_MISSING_FIELD", f"$.{field}", "required")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("content_hash", "sha256:" + "a" * 64),
        ("content_hash", "A" * 64),
        ("content_hash", "a" * 63),
        ("hash_algorithm", "md5"),
        ("artifact_path", "/etc/passwd"),
        ("artifact_path", "../secrets.md"),
        ("artifact_path", "research/../../x.md"),
        ("artifact_path", "research/.."),
        ("artifact_path", "C:/x.md"),
        ("artifact_path", "\\\\server\\x.md"),
        ("artifact_path", ""),
        ("content_body", ""),
        ("project_uuid", "demo"),
        ("target_branch", "  "),
        ("manifest_version", 1),
        ("mission_key", "software-dev"),
        ("admission_generation", 1),
    ],
)
def test_body_upload_rejects(kit, field: str, value: Any) -> None:
    with pytest.raises(ContractViolation):
        check("body_upload", kit.mutate(kit.sample("body_upload"), (field,), value))


@pytest.mark.parametrize("path", ["research/notes.md", "tasks/WP01-x.md", "a..b/c.md", "..x/y"])
def test_body_upload_accepts_relative_paths(kit, path: str) -> None:
    check("body_upload", kit.mutate(kit.sample("body_upload"), ("artifact_path",), path))


def test_body_upload_requires_all_nine_keys(kit) -> None:
    for key in kit.sample("body_upload"):
        doc = kit.mutate(kit.sample("body_upload"), (key,), kit.DELETE)
        assert _code("body_upload", doc)[:2] == ("CONTRACT_MISSING_FIELD", f"$.{key}")


def test_heartbeat(kit) -> None:
    assert _code("heartbeat", kit.mutate(kit.sample("heartbeat"), ("type",), "ping"))[2] == "const"
    assert _code("heartbeat", kit.mutate(kit.sample("heartbeat"), ("build_id",), ""))[0]
    naive = kit.mutate(kit.sample("heartbeat"), ("timestamp",), "2026-01-15T10:00:00")
    assert _code("heartbeat", naive)[2] == "format"


# -- orchestrator_response -----------------------------------------------------------------
def test_orchestrator_failure_envelope(kit) -> None:
    doc = kit.sample("orchestrator_response")
    doc.update(success=False, error_code="MISSION_AMBIGUOUS_SELECTOR", data={"message": "2 match"})
    check("orchestrator_response", doc)
    doc["error_code"] = "TRANSITION_REJECTED"
    check("orchestrator_response", doc)
    doc.update(command="orchestrator-api.unknown", error_code="USAGE_ERROR")
    check("orchestrator_response", doc)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"command": "orchestrator-api.feature-state"}, (LEGACY, "$.command")),
        (
            {"command": "orchestrator-api.resolve-workspace"},
            ("CONTRACT_INVALID_VALUE", "$.command"),
        ),
        ({"command": "mission-state"}, ("CONTRACT_INVALID_VALUE", "$.command")),
        ({"contract_version": "2.0.0"}, ("CONTRACT_INVALID_VALUE", "$.contract_version")),
        ({"success": "true"}, ("CONTRACT_INVALID_TYPE", "$.success")),
        (
            {"success": False, "error_code": "FEATURE_NOT_FOUND", "data": {"message": "m"}},
            (LEGACY, "$.error_code"),
        ),
        (
            {"success": False, "error_code": "SAFE_COMMIT_GENERIC", "data": {"message": "m"}},
            ("CONTRACT_INVALID_VALUE", "$.error_code"),
        ),
        (
            {"success": False, "error_code": None, "data": {"message": "m"}},
            ("CONTRACT_RULE_VIOLATION", "$.error_code"),
        ),
        (
            {"success": False, "error_code": "USAGE_ERROR", "data": {}},
            ("CONTRACT_RULE_VIOLATION", "$.data.message"),
        ),
        ({"error_code": "USAGE_ERROR"}, ("CONTRACT_RULE_VIOLATION", "$.error_code")),
        ({"data": {"summary": {}}}, ("CONTRACT_RULE_VIOLATION", "$.data.mission_slug")),
        ({"data": {"mission_slug": ""}}, ("CONTRACT_RULE_VIOLATION", "$.data.mission_slug")),
        ({"data": {"mission_slug": "x", "feature_slug": "x"}}, (LEGACY, "$.data.feature_slug")),
        ({"data": []}, ("CONTRACT_INVALID_TYPE", "$.data")),
        ({"ok": True}, ("CONTRACT_UNKNOWN_FIELD", "$.ok")),
    ],
)
def test_orchestrator_rejects(kit, changes: dict[str, Any], expected: tuple[str, str]) -> None:
    doc = kit.sample("orchestrator_response")
    doc.update(changes)
    assert _code("orchestrator_response", doc)[:2] == expected


def test_contract_version_command_needs_no_mission_slug(kit) -> None:
    doc = kit.sample("orchestrator_response")
    doc.update(
        command="orchestrator-api.contract-version",
        data={"api_version": "1.0.0", "min_supported_provider_version": "0.1.0"},
    )
    check("orchestrator_response", doc)


@pytest.mark.parametrize(
    "key",
    ["contract_version", "command", "timestamp", "correlation_id", "success", "error_code", "data"],
)
def test_orchestrator_requires_all_seven_keys(kit, key: str) -> None:
    doc = kit.mutate(kit.sample("orchestrator_response"), (key,), kit.DELETE)
    assert _code("orchestrator_response", doc)[:2] == ("CONTRACT_MISSING_FIELD", f"$.{key}")


# -- status_snapshot -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("work_packages", "WP01", "lane"), "in_review", "$.work_packages.WP01.lane"),
        (("work_packages", "WP01", "lane"), "doing", "$.work_packages.WP01.lane"),
        (("work_packages", "WP01"), {}, "$.work_packages.WP01.lane"),
        (("work_packages", ""), {"lane": "done"}, "$.work_packages['']"),
        (("summary", "in_review"), 0, "$.summary.in_review"),
        (("summary", "done"), -1, "$.summary.done"),
        (("mission_number",), "001", "$.mission_number"),
        (("mission_slug",), "", "$.mission_slug"),
        (("work_packages", "WP01", "feature_slug"), "x", "$.work_packages.WP01.feature_slug"),
    ],
)
def test_status_snapshot_rejects(kit, path: tuple[str, ...], value: Any, where: str) -> None:
    assert (
        _code("status_snapshot", kit.mutate(kit.sample("status_snapshot"), path, value))[1] == where
    )


def test_status_snapshot_accepts_every_lane(kit) -> None:
    doc = kit.sample("status_snapshot")
    lanes = [
        "planned",
        "claimed",
        "in_progress",
        "for_review",
        "approved",
        "done",
        "blocked",
        "canceled",
    ]
    doc["work_packages"] = {f"WP{i:02}": {"lane": lane} for i, lane in enumerate(lanes)}
    doc["summary"] = dict.fromkeys(lanes, 1)
    check("status_snapshot", doc)
