"""Cutover acceptance 6: every field of the envelope and of the MissionCreated, MissionClosed and
WPStatusChanged payloads is exercised by at least one accept and one reject case.

The cases are the ones spec-kitty-gate's own shape-coverage test keeps
(packages/spec-kitty-gate/tests/test_shape_coverage.py, imported here, not copied). This test
counts the fields from the contract artifact the *installed* gate ships, and runs every case
against *real* events: envelopes the installed CLI emitted while a mission ran (MissionCreated,
WPStatusChanged to done with git-derived evidence, MissionClosed), mutated one field at a time.
Each accepted variant must also be valid for spec-kitty-events 3.0.0 and the SaaS wire rules
(the gate never lets through what the server refuses).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from importlib import resources
from types import ModuleType
from typing import Any

import pytest
from acceptance_support import POLICY_JSON, Cli, cli_env, commit_all, make_repo, write_wps
from saas_stub import contract_problems

from sk_support import REPO
from spec_kitty_gate import ContractViolation, check

SHAPE_TEST = REPO / "packages" / "spec-kitty-gate" / "tests" / "test_shape_coverage.py"
PAYLOAD_SCHEMAS = {
    "WPStatusChanged": "status_transition_payload",
    "MissionCreated": "mission_created_payload",
    "MissionClosed": "mission_closed_payload",
}


def _shape_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_gate_shape_coverage", SHAPE_TEST)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shape = _shape_cases()


def _installed_artifact() -> dict[str, Any]:
    text = resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def real_events(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One envelope of each type, as the installed CLI queued them during a mission."""
    tmp = tmp_path_factory.mktemp("shape")
    cli = Cli(cli_env(tmp / "home"))
    root = make_repo(tmp / "project")
    cli.json(root, "init", "--json")
    slug = cli.json(root, "agent", "mission", "create", "Shape check", "--json")["mission_slug"]
    write_wps(root, slug, {"WP01": ("Only part", [])})
    commit_all(root, "mission with one work package")
    cli.json(root, "agent", "tasks", "finalize", "--mission", slug, "--json")
    common = ("--mission", slug, "--wp", "WP01", "--actor", "shape", "--policy", POLICY_JSON)
    api = ("orchestrator-api",)
    assert cli.json(root, *api, "start-implementation", *common)["success"]
    assert cli.json(root, *api, "transition", *common, "--to", "for_review")["success"]
    assert cli.json(root, *api, "transition", *common, "--to", "done", "--review-ref", "PR-1")[
        "success"
    ]
    assert cli.json(root, *api, "accept-mission", "--mission", slug, "--actor", "shape")["success"]
    listed = cli.json(root, "sync", "events", "--full", "--limit", "0", "--json")["events"]
    envelopes = [e["envelope"] for e in listed]
    out = {t: next(e for e in envelopes if e["event_type"] == t) for t in PAYLOAD_SCHEMAS}
    out["WPStatusChanged"] = next(
        e
        for e in envelopes
        if e["event_type"] == "WPStatusChanged" and e["payload"]["to_lane"] == "done"
    )
    for env in out.values():
        check("event", env)
        assert contract_problems(env) == []
    return out


def _fields(schema: dict[str, Any]) -> set[str]:
    return set(schema["properties"])


def test_every_field_has_an_accept_and_a_reject_case() -> None:
    artifact = _installed_artifact()
    tables = {
        "envelope": (artifact["surfaces"]["event"]["schema"], shape.ENVELOPE),
        **{
            t: (artifact["library"]["schemas"][name], _table(t))
            for t, name in PAYLOAD_SCHEMAS.items()
        },
    }
    total = 0
    for name, (schema, table) in tables.items():
        fields = _fields(schema)
        accepted, rejected = shape._covered(table)
        assert fields - accepted == set(), (name, "fields without an accept case")
        assert fields - rejected == set(), (name, "fields without a reject case")
        total += len(fields)
    assert total >= 30  # 100% of the fields of four schemas, counted from the artifact


def _table(event_type: str) -> dict[str, tuple[list[Any], list[Any]]]:
    return shape.WP_STATUS_CHANGED if event_type == "WPStatusChanged" else shape.CATALOG


def _variants() -> list[Any]:
    out = []
    for target in ("envelope", *PAYLOAD_SCHEMAS):
        table = shape.ENVELOPE if target == "envelope" else _table(target)
        for field, (good, bad) in table.items():
            for ok, values in ((True, good), (False, bad)):
                for value in values:
                    label = "<removed>" if value is shape.D else repr(value)
                    verdict = "accept" if ok else "reject"
                    out.append(
                        pytest.param(
                            target, field, value, ok, id=f"{target}.{field}={label}-{verdict}"
                        )
                    )
    return out


@pytest.mark.parametrize(("target", "field", "value", "ok"), _variants())
def test_real_events_mutated_one_field_at_a_time(
    real_events: dict[str, dict[str, Any]], target: str, field: str, value: Any, ok: bool
) -> None:
    if target == "envelope":
        env = copy.deepcopy(real_events["WPStatusChanged"])
        shape._set(env, field, value)
    else:
        env = copy.deepcopy(real_events[target])
        shape._set(env["payload"], field, value)
    if ok:
        check("event", env)
        assert contract_problems(env) == [], "the gate accepted what the server refuses"
    else:
        with pytest.raises(ContractViolation) as info:
            check("event", env)
        assert info.value.code.startswith("CONTRACT_")
        where = "$" if target == "envelope" else "$.payload"
        assert info.value.path.startswith(where)
