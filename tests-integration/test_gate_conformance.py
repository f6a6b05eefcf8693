"""spec-kitty-gate against the upstream truth: spec-kitty-events 3.0.0 conformance fixtures.

Every fixture of every category gets the same verdict from our gate as from upstream
``validate_event(..., strict=True)``; every replay-stream line passes; the artifact's
deny-lists and schemas equal what the installed package ships. Fixtures carry no
``aggregate_type`` and most are bare payloads: see gate_envelopes.py for the injection.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from spec_kitty_events.conformance import load_fixtures, load_replay_stream, validate_event
from spec_kitty_events.cutover import load_cutover_artifact
from spec_kitty_events.schemas import load_schema

from spec_kitty_gate import ContractViolation, artifact_info, check, is_conformant

_HELPERS = Path(__file__).with_name("gate_envelopes.py")
_spec = importlib.util.spec_from_file_location("gate_envelopes", _HELPERS)
assert _spec and _spec.loader
envelopes = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("gate_envelopes", envelopes)
_spec.loader.exec_module(envelopes)

CATEGORIES = [
    "events", "edge_cases", "collaboration", "glossary", "mission_next", "dossier",
    "mission_audit", "decisionpoint", "connector", "sync",
]  # fmt: skip
# The doing-alias fixture is "valid" upstream only because the lenient (pydantic) layer
# normalises the alias; strict upstream, the JSON schema, and spec-kitty reject it.
STRICT_INVALID = {"edge-alias-doing-normalized"}


def _manifest() -> list[dict[str, Any]]:
    root = resources.files("spec_kitty_events.conformance") / "fixtures"
    return list(json.loads((root / "manifest.json").read_text("utf-8"))["fixtures"])


def _cases(categories: list[str]) -> list[Any]:
    return [
        pytest.param(case, id=f"{category}:{case.id}")
        for category in categories
        for case in load_fixtures(category)
    ]


def _as_envelope(case: Any) -> dict[str, Any]:
    if case.event_type == "Event":
        return envelopes.with_aggregate_type(case.payload)
    return envelopes.wrap_payload(case.event_type, case.payload)


@pytest.mark.parametrize("case", _cases(CATEGORIES))
def test_same_verdict_as_strict_upstream(case: Any) -> None:
    upstream = validate_event(case.payload, case.event_type, strict=True).valid
    ours = is_conformant("event", _as_envelope(case))
    assert ours == upstream, case.notes
    expected = case.expected_valid and case.id not in STRICT_INVALID
    assert ours == expected


@pytest.mark.parametrize("case", _cases(["events", "edge_cases"]))
def test_invalid_fixtures_give_a_structured_violation(case: Any) -> None:
    if case.expected_valid and case.id not in STRICT_INVALID:
        check("event", _as_envelope(case))
        return
    with pytest.raises(ContractViolation) as info:
        check("event", _as_envelope(case))
    assert info.value.code.startswith("CONTRACT_")
    assert info.value.path.startswith("$")


def test_doing_alias_is_rejected_strictly() -> None:
    (case,) = [c for c in load_fixtures("edge_cases") if c.id in STRICT_INVALID]
    assert validate_event(case.payload, case.event_type, strict=True).valid is False
    with pytest.raises(ContractViolation) as info:
        check("event", _as_envelope(case))
    assert info.value.path == "$.payload.to_lane"


REPLAY_IDS = [e["id"] for e in _manifest() if e.get("fixture_type") == "replay_stream"]


@pytest.mark.parametrize("fixture_id", REPLAY_IDS)
def test_every_replay_stream_line_passes(fixture_id: str) -> None:
    events = load_replay_stream(fixture_id)
    assert events
    for event in events:
        check("event", envelopes.with_aggregate_type(event))
    check("event_batch", {"events": [envelopes.with_aggregate_type(e) for e in events]})


def test_reducer_outputs_are_not_events() -> None:
    # T14: the wheel lacks one reducer_output file; those entries are never event fixtures.
    kinds = {e.get("fixture_type") for e in _manifest()}
    assert kinds == {None, "replay_stream", "reducer_output"}
    assert len(REPLAY_IDS) == 12


@pytest.mark.parametrize("aggregate_type", ["Mission", "WorkPackage", "MissionDossier"])
def test_allowed_aggregate_types(aggregate_type: str) -> None:
    env = envelopes.wrap_payload("TestEvent", {})
    env["aggregate_type"] = aggregate_type
    check("event", env)


@pytest.mark.parametrize("aggregate_type", ["Feature", "Build", "mission", "", None, 1])
def test_rejected_aggregate_types(aggregate_type: Any) -> None:
    env = envelopes.wrap_payload("TestEvent", {})
    env["aggregate_type"] = aggregate_type
    assert not is_conformant("event", env)
    del env["aggregate_type"]
    assert not is_conformant("event", env)


def test_deny_lists_are_a_superset_of_upstream() -> None:
    upstream = load_cutover_artifact()
    deny = artifact_info()["deny"]
    assert set(upstream.forbidden_legacy_keys) <= set(deny["keys"])
    assert set(upstream.forbidden_legacy_event_names) <= set(deny["event_types"])
    assert set(upstream.forbidden_legacy_aggregate_names) <= set(deny["aggregate_id_roots"])


def _artifact() -> dict[str, Any]:
    text = resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_embedded_schemas_equal_upstream() -> None:
    library = _artifact()["library"]
    assert library["cutover"] == load_cutover_artifact().model_dump(mode="json")
    for name, schema in library["schemas"].items():
        assert schema == load_schema(name), name
    from spec_kitty_events.conformance.validators import _EVENT_TYPE_TO_SCHEMA

    for event_type, name in _EVENT_TYPE_TO_SCHEMA.items():
        if event_type != "Event":
            assert library["event_types"][event_type] == name


def test_generated_artifact_has_not_drifted() -> None:
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "contracts_generate", root / "contracts" / "generate.py"
    )
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    text = generate.build()
    assert (root / "contracts" / "contract.json").read_text("utf-8") == text
    assert resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8") == text
