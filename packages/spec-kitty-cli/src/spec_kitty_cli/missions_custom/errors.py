"""Errors of custom mission definitions (`spec-kitty mission run`).

    MissionDefinitionError           a definition or selector the operator can fix (exit 2)
    └── codes: the closed validation enum below, plus the selector codes
    RunStartError                    RUN_START_FAILED: infrastructure (exit 1)

Every error carries a stable ``code``, a ``message`` and a ``details`` dict whose keys are
fixed per code (see VALIDATION_DETAIL_KEYS); every path in ``details`` is absolute.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "RUN_START_FAILED",
    "SELECTOR_ERROR_CODES",
    "VALIDATION_DETAIL_KEYS",
    "VALIDATION_ERROR_CODES",
    "WARNING_CODES",
    "MissionDefinitionError",
    "RunStartError",
]

# The closed enum of validation errors and the exact keys of their details.
VALIDATION_DETAIL_KEYS: dict[str, tuple[str, ...]] = {
    "MISSION_YAML_MALFORMED": ("file", "mission_key", "parse_error"),
    "MISSION_REQUIRED_FIELD_MISSING": ("file", "mission_key", "field", "missing_fields"),
    "MISSION_KEY_UNKNOWN": ("mission_key", "tiers_searched"),
    "MISSION_KEY_AMBIGUOUS": ("mission_key", "paths"),
    "MISSION_KEY_RESERVED": ("mission_key", "file", "tier", "reserved_keys"),
    "MISSION_RETROSPECTIVE_MISSING": ("file", "mission_key", "actual_last_step_id", "expected"),
    "MISSION_STEP_NO_PROFILE_BINDING": ("file", "mission_key", "step_id"),
    "MISSION_STEP_AMBIGUOUS_BINDING": ("file", "mission_key", "step_id"),
    "MISSION_CONTRACT_REF_UNRESOLVED": ("file", "mission_key", "step_id", "contract_ref"),
    "MISSION_STEP_DEPENDENCY_CYCLE": ("file", "mission_key", "cycle"),
    "MISSION_STEP_DEPENDENCY_UNKNOWN": ("file", "mission_key", "step_id", "depends_on"),
}
VALIDATION_ERROR_CODES = frozenset(VALIDATION_DETAIL_KEYS)
WARNING_CODES = frozenset({"MISSION_KEY_SHADOWED", "MISSION_PACK_LOAD_FAILED"})
SELECTOR_ERROR_CODES = frozenset({"MISSION_AMBIGUOUS_SELECTOR", "MISSION_SLUG_INVALID"})
RUN_START_FAILED = "RUN_START_FAILED"


class MissionDefinitionError(Exception):
    """The definition or the `--mission` selector is unfit: nothing was created (exit 2)."""

    operator_fixable: ClassVar[bool] = True

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details)


class RunStartError(Exception):
    """The run could not be recorded (file system, lock): RUN_START_FAILED (exit 1)."""

    code: ClassVar[str] = RUN_START_FAILED
    operator_fixable: ClassVar[bool] = False

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details)
