"""Project-authored custom mission definitions: discovery, validation and runs (`mission run`).

Public API::

    run_custom_mission(project_root, mission_key, selector, ...) -> RunOutcome
    validate_custom_mission(ctx, mission_key) -> ValidationReport
    discover(ctx) -> Discovery;  DiscoveryContext;  TIERS;  RESERVED_BUILTIN_KEYS
    load_definition(path) -> MissionDefinition
    build_panel(outcome), emit(outcome, as_json=)
    MissionDefinitionError, RunStartError and the closed code sets (see errors.py)

In this package, and only here, `mission_key` names a custom mission definition's key.
"""

from __future__ import annotations

from ._definition import DefinitionLoadError, MissionDefinition, Step, load_definition
from ._discovery import TIERS, Candidate, Discovery, DiscoveryContext, discover
from ._render import build_panel, emit, panel_text
from ._run import RunOutcome, run_custom_mission
from ._runs import RunRecord
from ._validate import RESERVED_BUILTIN_KEYS, ValidationReport, validate_custom_mission
from .errors import (
    RUN_START_FAILED,
    SELECTOR_ERROR_CODES,
    VALIDATION_DETAIL_KEYS,
    VALIDATION_ERROR_CODES,
    WARNING_CODES,
    MissionDefinitionError,
    RunStartError,
)

__all__ = [
    "RESERVED_BUILTIN_KEYS",
    "RUN_START_FAILED",
    "SELECTOR_ERROR_CODES",
    "TIERS",
    "VALIDATION_DETAIL_KEYS",
    "VALIDATION_ERROR_CODES",
    "WARNING_CODES",
    "Candidate",
    "DefinitionLoadError",
    "Discovery",
    "DiscoveryContext",
    "MissionDefinition",
    "MissionDefinitionError",
    "RunOutcome",
    "RunRecord",
    "RunStartError",
    "Step",
    "ValidationReport",
    "build_panel",
    "discover",
    "emit",
    "load_definition",
    "panel_text",
    "run_custom_mission",
    "validate_custom_mission",
]
