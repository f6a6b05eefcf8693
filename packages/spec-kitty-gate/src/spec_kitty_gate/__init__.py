"""spec-kitty-gate: the one gate every remote-facing side effect of spec-kitty passes through.

``check(surface, payload)`` raises ``ContractViolation`` unless ``payload`` conforms to the
contract artifact vendored in this package (generated from spec-kitty-events 3.0.0 plus the
SaaS wire rules of that era). Importing this package is cheap: the artifact is read and
compiled on the first check, once per process.
"""

from __future__ import annotations

from typing import Any

from .errors import ArtifactError, ContractViolation, GateError

__all__ = [
    "ArtifactError",
    "ContractViolation",
    "GateError",
    "__version__",
    "artifact_info",
    "check",
    "is_conformant",
    "surfaces",
]


_check: Any = None  # ._api.check once imported: the hot path pays no import statement per call
_is_conformant: Any = None


def check(surface: str, payload: object) -> None:
    """Raise ``ContractViolation`` unless ``payload`` conforms to the contract of ``surface``.

    Surfaces are listed by ``surfaces()``; an unknown surface is a violation (fail closed).
    """
    (_check or _load()[0])(surface, payload)


def is_conformant(surface: str, payload: object) -> bool:
    """``True`` when ``check(surface, payload)`` would not raise."""
    result: bool = (_is_conformant or _load()[1])(surface, payload)
    return result


def _load() -> tuple[Any, Any]:
    global _check, _is_conformant
    from ._api import check, is_conformant

    _check, _is_conformant = check, is_conformant
    return check, is_conformant


def surfaces() -> tuple[str, ...]:
    """The names of every surface the contract artifact defines, sorted."""
    from ._api import surfaces as _surfaces

    return _surfaces()


def artifact_info() -> dict[str, Any]:
    """Identity and provenance of the contract artifact: artifact_id, version, inputs' sha256."""
    from ._api import artifact_info as _artifact_info

    return _artifact_info()


def __getattr__(name: str) -> Any:
    # importlib.metadata is slow to import: only pay for it when the version is asked for.
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
