"""Errors raised by spec-kitty-identity.

Every error carries a stable ``code``, a human ``message`` and a ``details`` dict, so the CLI can
render one structured envelope for all of them. ``operator_fixable`` tells whether the person at
the keyboard can fix it (bad input, legacy state: exit 2) or whether it is an infrastructure
failure (exit 1).

    IdentityError
    ├── ConfigError                 CONFIG_UNPARSEABLE, CONFIG_INVALID
    ├── NotInitializedError         PROJECT_NOT_INITIALIZED
    ├── ProjectRootNotFoundError    PROJECT_ROOT_NOT_FOUND
    ├── LegacyStateError            LEGACY_STATE (unknown/legacy key: run `spec-kitty upgrade`)
    ├── MissionMetaError            MISSION_META_INVALID
    ├── MissionNotFoundError        MISSION_NOT_FOUND
    ├── MissionAmbiguousError       MISSION_AMBIGUOUS_SELECTOR
    ├── MissionSlugError            MISSION_SLUG_INVALID
    └── StateWriteError             STATE_WRITE_FAILED (infrastructure)
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ConfigError",
    "IdentityError",
    "LegacyStateError",
    "MissionAmbiguousError",
    "MissionMetaError",
    "MissionNotFoundError",
    "MissionSlugError",
    "NotInitializedError",
    "ProjectRootNotFoundError",
    "StateWriteError",
]


class IdentityError(Exception):
    """Base class: a structured, renderable identity failure."""

    code: ClassVar[str] = "IDENTITY_ERROR"
    operator_fixable: ClassVar[bool] = True

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class ConfigError(IdentityError):
    """`.kittify/config.yaml` cannot be parsed or has the wrong shape; it is never overwritten."""

    code = "CONFIG_UNPARSEABLE"


class NotInitializedError(IdentityError):
    """The project has no identity yet: `spec-kitty init` creates it."""

    code = "PROJECT_NOT_INITIALIZED"


class ProjectRootNotFoundError(IdentityError):
    """No spec-kitty project (a folder with `.kittify/`) above the working directory."""

    code = "PROJECT_ROOT_NOT_FOUND"


class LegacyStateError(IdentityError):
    """A file carries a key the canonical model does not know: `spec-kitty upgrade` rewrites it."""

    code = "LEGACY_STATE"


class MissionMetaError(IdentityError):
    """A mission's meta.json is malformed (not legacy: simply wrong)."""

    code = "MISSION_META_INVALID"


class MissionNotFoundError(IdentityError):
    """No mission in kitty-specs/ matches the selector."""

    code = "MISSION_NOT_FOUND"


class MissionAmbiguousError(IdentityError):
    """The selector matches more than one mission."""

    code = "MISSION_AMBIGUOUS_SELECTOR"


class MissionSlugError(IdentityError):
    """A mission slug or title cannot be used as a folder name."""

    code = "MISSION_SLUG_INVALID"


class StateWriteError(IdentityError):
    """Per-checkout or per-user state could not be written (disk, permissions)."""

    code = "STATE_WRITE_FAILED"
    operator_fixable = False
