"""Contract 1.0.0's error codes are a closed set: the host emits only codes in the pinned artifact.

The 0.1.2 client knows the contract's codes only (an unknown one is a bare HostError), so every
code an orchestrator-api call can end with must be listed in the artifact the gate ships.
"""

from __future__ import annotations

import inspect
import json
from importlib import resources

import spec_kitty_orchestrator_api as api
import spec_kitty_orchestrator_api.errors as api_errors
from spec_kitty_orchestrator_api import ERROR_CODES, respond


def _artifact_codes() -> set[str]:
    text = resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8")
    return set(json.loads(text)["orchestrator_api"]["error_codes"])


def test_every_error_class_code_is_in_the_pinned_artifact() -> None:
    """Raise every error class of the API through `respond`: the code on the wire is allowed."""
    allowed = _artifact_codes()
    classes = [
        obj
        for _, obj in inspect.getmembers(api_errors, inspect.isclass)
        if issubclass(obj, api_errors.OrchestratorApiError)
    ]
    assert len(classes) > 10
    on_wire = set()
    for cls in classes:

        def fail(cls: type = cls) -> None:
            raise cls("refused", details={"wp_id": "WP01"})

        on_wire.add(respond("transition", fail).envelope["error_code"])
    assert on_wire <= allowed, sorted(on_wire - allowed)
    assert set(ERROR_CODES) | {"USAGE_ERROR"} <= allowed
    assert "DEPENDENCIES_NOT_SATISFIED" not in allowed | on_wire


def test_any_other_failure_is_folded_into_a_contract_code() -> None:
    """A failure from outside the API (identity, status log, ...) keeps its code as data.cause."""
    allowed = _artifact_codes()

    def fail() -> None:
        raise api.StatusLegacyError("legacy line", details={"file": "x"})

    response = respond("mission-state", fail)
    assert response.envelope["error_code"] in allowed
    assert response.envelope["data"]["cause"] == "LEGACY_STATE" or response.envelope["data"]


def test_unsatisfied_dependencies_are_a_transition_rejection() -> None:
    error = api.DependenciesNotSatisfiedError("WP02 waits", details={"wp_id": "WP02"})
    assert error.code == "TRANSITION_REJECTED"
