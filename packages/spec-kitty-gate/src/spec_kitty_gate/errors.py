"""Errors raised by spec-kitty-gate.

Every error carries a stable ``code``, a human ``message`` and a ``details`` dict, so the
spec-kitty CLI renders one structured envelope for all of them (exit 2: ``operator_fixable``).

    GateError                       GATE_ERROR
    ├── ContractViolation           CONTRACT_* (one code per kind of violation, see below)
    └── ArtifactError               GATE_ARTIFACT_INVALID (the vendored artifact is unusable)

``ContractViolation.code`` is one of:

    CONTRACT_UNKNOWN_SURFACE   the surface name is not in the artifact (fail closed)
    CONTRACT_INVALID_TYPE      a value has the wrong JSON type
    CONTRACT_MISSING_FIELD     a required key is absent
    CONTRACT_UNKNOWN_FIELD     a key the contract does not allow
    CONTRACT_INVALID_VALUE     a value breaks a constraint (blank, pattern, enum, range, format...)
    CONTRACT_SCHEMA_VERSION    the cutover signal is missing or not the pinned release
    CONTRACT_LEGACY_SURFACE    a legacy (pre-cutover) key, event type, aggregate, command or code
    CONTRACT_RULE_VIOLATION    a cross-field rule (e.g. a forced transition needs a reason)
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CODES",
    "ArtifactError",
    "ContractViolation",
    "GateError",
]

CODES = (
    "CONTRACT_INVALID_TYPE",
    "CONTRACT_INVALID_VALUE",
    "CONTRACT_LEGACY_SURFACE",
    "CONTRACT_MISSING_FIELD",
    "CONTRACT_RULE_VIOLATION",
    "CONTRACT_SCHEMA_VERSION",
    "CONTRACT_UNKNOWN_FIELD",
    "CONTRACT_UNKNOWN_SURFACE",
)


class GateError(Exception):
    """Base class: a structured, renderable gate failure."""

    code: str = "GATE_ERROR"
    operator_fixable: ClassVar[bool] = True

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {"message": message, **(details or {})}


class ArtifactError(GateError):
    """The contract artifact shipped with spec-kitty-gate cannot be loaded or compiled."""

    code = "GATE_ARTIFACT_INVALID"
    operator_fixable: ClassVar[bool] = False


class ContractViolation(GateError, ValueError):
    """A payload does not conform to the contract of its surface; nothing was sent.

    Attributes: ``code``, ``surface``, ``path`` (JSON path such as
    ``$.events[3].payload.mission_slug``), ``rule``, ``expected``, ``actual``, ``artifact_id``,
    and ``details`` holding all of those plus ``message``.
    """

    def __init__(
        self,
        *,
        code: str,
        surface: str,
        path: str,
        rule: str,
        expected: Any,
        actual: Any,
        artifact_id: str,
    ) -> None:
        message = (
            f"{surface} violates the spec-kitty contract at {path}: {rule} "
            f"(expected {expected!r}, got {actual!r})"
        )
        self.code = code
        self.surface = surface
        self.path = path
        self.rule = rule
        self.expected = expected
        self.actual = actual
        self.artifact_id = artifact_id
        super().__init__(
            message,
            details={
                "actual": actual,
                "artifact_id": artifact_id,
                "code": code,
                "expected": expected,
                "path": path,
                "rule": rule,
                "surface": surface,
            },
        )

    def __reduce__(self) -> tuple[Any, ...]:  # pickle through keyword arguments
        return (_rebuild, (self.details,))


def _rebuild(details: dict[str, Any]) -> ContractViolation:
    keys = ("code", "surface", "path", "rule", "expected", "actual", "artifact_id")
    return ContractViolation(**{k: details[k] for k in keys})
