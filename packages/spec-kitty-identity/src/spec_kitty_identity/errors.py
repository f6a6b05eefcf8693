"""Errors raised by spec-kitty-identity, and the one error shape every spec-kitty package shares.

Every error is a :class:`StructuredError`: a stable ``code``, a human ``message``, a ``details``
dict and ``operator_fixable`` (True: bad input or legacy state, exit 2; False: infrastructure,
exit 1). The CLI renders all of them with one function.

    SpecKittyError                  base of every package's hierarchy
    └── IdentityError
        ├── ConfigError                 CONFIG_UNPARSEABLE, CONFIG_INVALID
        ├── NotInitializedError         PROJECT_NOT_INITIALIZED
        ├── ProjectRootNotFoundError    PROJECT_ROOT_NOT_FOUND
        ├── LegacyStateError            LEGACY_STATE (unknown/legacy key: `spec-kitty upgrade`)
        ├── MissionMetaError            MISSION_META_INVALID
        ├── MissionNotFoundError        MISSION_NOT_FOUND
        ├── MissionAmbiguousError       MISSION_AMBIGUOUS_SELECTOR
        ├── MissionSlugError            MISSION_SLUG_INVALID
        ├── StatePathError              STATE_PATH_OUTSIDE_PROJECT (a symlink leads out)
        └── StateWriteError             STATE_WRITE_FAILED (infrastructure)
"""

from __future__ import annotations

from typing import Any, Protocol, cast

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
    "SpecKittyError",
    "StatePathError",
    "StateWriteError",
    "StructuredError",
    "as_structured",
]


class StructuredError(Protocol):
    """What every spec-kitty error carries, whatever package raised it.

    ``code`` is stable, ``message`` is for people, ``details`` is a JSON-ready dict, and
    ``operator_fixable`` gives the exit code: True -> 2 (input or state to fix), False -> 1.
    Every package's base error derives from :class:`SpecKittyError`, except spec-kitty-gate's,
    a leaf that imports no other package and has the same shape.
    """

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def details(self) -> dict[str, Any]: ...
    @property
    def operator_fixable(self) -> bool: ...


def as_structured(exc: BaseException) -> StructuredError | None:
    """``exc`` when it has the :class:`StructuredError` shape, else None (a bug or a crash)."""
    if (
        isinstance(getattr(exc, "code", None), str)
        and isinstance(getattr(exc, "message", None), str)
        and isinstance(getattr(exc, "details", None), dict)
        and isinstance(getattr(exc, "operator_fixable", None), bool)
    ):
        return cast(StructuredError, exc)
    return None


class SpecKittyError(Exception):
    """Base of the spec-kitty error hierarchies: a :class:`StructuredError`."""

    code: str = "SPEC_KITTY_ERROR"
    operator_fixable: bool = True

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class IdentityError(SpecKittyError):
    """Base class: a structured, renderable identity failure."""

    code = "IDENTITY_ERROR"


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


class StatePathError(IdentityError):
    """A state file's path leads through a symlink out of the project: nothing is written."""

    code = "STATE_PATH_OUTSIDE_PROJECT"
