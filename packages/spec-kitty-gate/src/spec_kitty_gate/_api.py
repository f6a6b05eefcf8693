"""The public gate primitive: ``check(surface, payload)``."""

from __future__ import annotations

import copy
import re
from typing import Any

from ._artifact import load_artifact
from ._checks import CompiledSurface, compile_surface
from ._values import Fail, summarize
from .errors import ArtifactError, ContractViolation

__all__ = ["artifact_info", "check", "is_conformant", "surfaces"]

_REGISTRY: dict[str, CompiledSurface] = {}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _surface(name: str) -> CompiledSurface | None:
    compiled = _REGISTRY.get(name)
    if compiled is None:
        artifact = load_artifact()
        if name not in artifact["surfaces"]:
            return None
        try:
            compiled = compile_surface(name, artifact, _REGISTRY)
            _REGISTRY[name] = compiled
            if compiled.kind == "batch" and compiled.item_surface not in _REGISTRY:
                _surface(compiled.item_surface)
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ArtifactError(f"cannot compile surface {name!r}: {exc!r}") from exc
    return compiled


def render_path(segments: list[str | int]) -> str:
    """``["events", 3, "payload"]`` -> ``$.events[3].payload``."""
    out = ["$"]
    for segment in segments:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        elif isinstance(segment, str) and _IDENTIFIER.fullmatch(segment):
            out.append("." + segment)
        else:
            out.append("[" + repr(str(segment)) + "]")
    return "".join(out)


def check(surface: str, payload: object) -> None:
    """Raise ``ContractViolation`` unless ``payload`` conforms to the contract of ``surface``.

    Surfaces: see ``surfaces()``. An unknown surface is a violation (fail closed).
    """
    compiled = _REGISTRY.get(surface) if isinstance(surface, str) else None
    if compiled is None:
        compiled = _surface(surface) if isinstance(surface, str) else None
    if compiled is None:
        raise ContractViolation(
            code="CONTRACT_UNKNOWN_SURFACE",
            surface=str(summarize(surface)),
            path="$",
            rule="surface",
            expected=list(surfaces()),
            actual=summarize(surface),
            artifact_id=load_artifact()["artifact_id"],
        )
    try:
        compiled.check(payload)
    except Fail as fail:
        raise _violation(compiled.name, fail) from None
    except RecursionError:
        raise ContractViolation(
            code="CONTRACT_INVALID_VALUE",
            surface=compiled.name,
            path="$",
            rule="maxDepth",
            expected="a document the gate can traverse",
            actual="nested too deeply",
            artifact_id=load_artifact()["artifact_id"],
        ) from None


def _violation(surface: str, fail: Fail) -> ContractViolation:
    return ContractViolation(
        code=fail.code,
        surface=surface,
        path=render_path(fail.segments[::-1]),
        rule=fail.rule,
        expected=fail.expected,
        actual=fail.actual,
        artifact_id=load_artifact()["artifact_id"],
    )


def is_conformant(surface: str, payload: object) -> bool:
    """``True`` when ``check(surface, payload)`` would not raise."""
    try:
        check(surface, payload)
    except ContractViolation:
        return False
    return True


def surfaces() -> tuple[str, ...]:
    """The names of every surface the contract artifact defines, sorted."""
    return tuple(sorted(load_artifact()["surfaces"]))


def artifact_info() -> dict[str, Any]:
    """Identity and provenance of the contract artifact (a copy; safe to mutate)."""
    artifact = load_artifact()
    return {
        "artifact_id": artifact["artifact_id"],
        "artifact_version": artifact["artifact_version"],
        "deny": copy.deepcopy(artifact["deny"]),
        "provenance": copy.deepcopy(artifact["provenance"]),
        "surfaces": list(surfaces()),
    }
