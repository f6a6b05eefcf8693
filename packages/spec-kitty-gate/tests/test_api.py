"""The public API of spec-kitty-gate: exports, surfaces, provenance, errors, import cost."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import spec_kitty_gate
from spec_kitty_gate import (
    ArtifactError,
    ContractViolation,
    GateError,
    artifact_info,
    check,
    is_conformant,
    surfaces,
)

EXPECTED_SURFACES = (
    "body_upload",
    "event",
    "event_batch",
    "heartbeat",
    "orchestrator_response",
    "status_snapshot",
    "tracker_bind",
)


def test_all_is_sorted_and_exported() -> None:
    assert spec_kitty_gate.__all__ == sorted(spec_kitty_gate.__all__)
    for name in spec_kitty_gate.__all__:
        assert getattr(spec_kitty_gate, name) is not None


def test_version_is_lazy_and_matches_metadata() -> None:
    from importlib.metadata import version

    assert spec_kitty_gate.__version__ == version("spec-kitty-gate")
    with pytest.raises(AttributeError):
        _ = spec_kitty_gate.no_such_attribute  # type: ignore[attr-defined]


def test_import_is_cheap() -> None:
    code = (
        "import sys, spec_kitty_gate; "
        "heavy = [m for m in ('spec_kitty_gate._api', 'json', 'importlib.metadata', "
        "'importlib.resources', 'spec_kitty_events') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_surfaces() -> None:
    assert surfaces() == EXPECTED_SURFACES


def test_artifact_info_records_provenance() -> None:
    info = artifact_info()
    assert info["artifact_id"].startswith("spec-kitty-contract/3.0.0/")
    prov = info["provenance"]
    assert prov["events_package"] == {"name": "spec-kitty-events", "version": "3.0.0"}
    assert prov["events_commit"].startswith("5b8e6dc")
    assert prov["saas_commit"] == "3a0e4af"
    assert prov["spec_kitty_plan_commit"] == "7428880c4"
    assert all(len(h) == 64 for h in prov["inputs_sha256"].values())
    assert list(info["surfaces"]) == list(EXPECTED_SURFACES)
    info["provenance"]["events_commit"] = "mutated"
    assert artifact_info()["provenance"]["events_commit"].startswith("5b8e6dc")


@pytest.mark.parametrize("surface", ["nope", "", "EVENT", None, 3, ["event"]])
def test_unknown_surface_fails_closed(surface: object) -> None:
    with pytest.raises(ContractViolation) as info:
        check(surface, {})  # type: ignore[arg-type]
    assert info.value.code == "CONTRACT_UNKNOWN_SURFACE"
    assert info.value.path == "$"
    assert "event" in info.value.expected
    assert not is_conformant(surface, {})  # type: ignore[arg-type]


def test_is_conformant(kit) -> None:
    for surface in EXPECTED_SURFACES:
        assert is_conformant(surface, kit.sample(surface)), surface
        check(surface, kit.sample(surface))
    assert not is_conformant("event", {})


def test_violation_carries_structured_details(kit) -> None:
    doc = kit.mutate(kit.sample("event_batch"), ("events", 1, "payload", "mission_slug"), " ")
    with pytest.raises(ContractViolation) as info:
        check("event_batch", doc)
    err = info.value
    assert err.code == "CONTRACT_INVALID_VALUE"
    assert err.surface == "event_batch"
    assert err.path == "$.events[1].payload.mission_slug"
    assert err.rule == "pattern"
    assert err.actual == " "
    assert err.artifact_id == artifact_info()["artifact_id"]
    assert err.operator_fixable is True
    for key in ("code", "surface", "path", "rule", "expected", "actual", "artifact_id", "message"):
        assert key in err.details
    assert err.details["message"] == err.message == str(err)
    assert isinstance(err, GateError) and isinstance(err, ValueError)
    clone = pickle.loads(pickle.dumps(err))
    assert clone.details == err.details


def test_error_hierarchy() -> None:
    assert issubclass(ContractViolation, GateError)
    assert issubclass(ArtifactError, GateError)
    assert GateError("x").code == "GATE_ERROR"
    assert GateError("x", details={"a": 1}).details == {"a": 1, "message": "x"}
    assert ArtifactError("broken").code == "GATE_ARTIFACT_INVALID"
    assert ArtifactError.operator_fixable is False
    assert GateError.operator_fixable is True


def test_odd_path_segments_are_quoted(kit) -> None:
    doc = kit.sample("status_snapshot")
    doc["work_packages"]["WP 01"] = {"lane": "doing"}
    with pytest.raises(ContractViolation) as info:
        check("status_snapshot", doc)
    assert info.value.path == "$.work_packages['WP 01'].lane"


def test_deeply_nested_input_is_a_violation(kit) -> None:
    deep: object = {}
    for _ in range(5000):
        deep = {"x": deep}
    env = kit.mutate(kit.sample("event"), ("event_type",), "HistoryAdded")
    env["payload"] = {"nested": deep}
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert info.value.rule == "maxDepth"
