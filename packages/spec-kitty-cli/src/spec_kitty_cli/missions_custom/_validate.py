"""Validating one custom mission definition for `mission run`, in the contract's order.

1. discovery and selection (MISSION_KEY_UNKNOWN; a failed top candidate is MALFORMED or
   REQUIRED_FIELD_MISSING), 2. the reserved-key rule, 3. structural rules (retrospective last,
   exactly one binding per step), 4. contract_ref resolution. Every error is collected; the
   envelope reports the first. Warnings (shadowing, pack failures) accompany both outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._definition import RETROSPECTIVE, MissionDefinition
from ._discovery import TIERS, Candidate, DiscoveryContext, discover
from .errors import MissionDefinitionError

RESERVED_BUILTIN_KEYS = frozenset({"documentation", "plan", "research", "software-dev"})


@dataclass(kw_only=True)
class ValidationReport:
    """The outcome of validating one key: the selected definition or the errors."""

    mission_key: str
    selected: Candidate | None = None
    errors: list[MissionDefinitionError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.selected is not None

    @property
    def definition(self) -> MissionDefinition:
        assert self.selected is not None and self.selected.definition is not None
        return self.selected.definition


def _error(code: str, message: str, **details: Any) -> MissionDefinitionError:
    return MissionDefinitionError(code, message, details)


def _load_failure(candidate: Candidate) -> list[MissionDefinitionError]:
    """One error per problem of the file, each naming the file (and line where known)."""
    failure = candidate.failure
    assert failure is not None
    file = str(candidate.path)
    errors = []
    for problem in failure.problems:
        extra = dict(problem["details"])
        line = extra.pop("line", None)
        where = f"{file}:{line}" if line else file
        message = f"{where}: {problem['message']}"
        details: dict[str, Any] = {"file": file, "mission_key": failure.key}
        if problem["code"] == "MISSION_REQUIRED_FIELD_MISSING":
            details.update(field=extra.pop("field"), missing_fields=extra.pop("missing_fields"))
        else:
            details["parse_error"] = problem["message"]
        details.update(extra)
        if line:
            details["line"] = line
        errors.append(MissionDefinitionError(problem["code"], message, details))
    return errors


def _dependencies(definition: MissionDefinition) -> list[MissionDefinitionError]:
    from ._graph import find_cycles, unknown_dependencies

    file, key = str(definition.path), definition.key
    errors = [
        _error(
            "MISSION_STEP_DEPENDENCY_UNKNOWN",
            f"step {step_id!r} depends on {dep!r}, which is not a step of {key!r}",
            file=file,
            mission_key=key,
            step_id=step_id,
            depends_on=dep,
        )
        for step_id, dep in unknown_dependencies(definition.steps)
    ]
    errors += [
        _error(
            "MISSION_STEP_DEPENDENCY_CYCLE",
            f"steps of {key!r} depend on each other in a cycle: {' -> '.join(cycle)}",
            file=file,
            mission_key=key,
            cycle=cycle,
        )
        for cycle in find_cycles(definition.steps)
    ]
    return errors


def _structural(definition: MissionDefinition, tier: str) -> list[MissionDefinitionError]:
    file, key = str(definition.path), definition.key
    errors = []
    last = definition.steps[-1].id
    if tier != "builtin" and last != RETROSPECTIVE:
        errors.append(
            _error(
                "MISSION_RETROSPECTIVE_MISSING",
                f"the last step of {key!r} must be {RETROSPECTIVE!r}, found {last!r}",
                file=file,
                mission_key=key,
                actual_last_step_id=last,
                expected=RETROSPECTIVE,
            )
        )
    errors.extend(_dependencies(definition))
    for step in definition.steps:
        if step.id == RETROSPECTIVE:
            continue
        if step.agent_profile and step.contract_ref:
            errors.append(
                _error(
                    "MISSION_STEP_AMBIGUOUS_BINDING",
                    f"step {step.id!r} declares both agent_profile and contract_ref; keep one",
                    file=file,
                    mission_key=key,
                    step_id=step.id,
                )
            )
        elif not step.requires_inputs and not step.agent_profile and not step.contract_ref:
            errors.append(
                _error(
                    "MISSION_STEP_NO_PROFILE_BINDING",
                    f"step {step.id!r} declares neither agent_profile nor contract_ref",
                    file=file,
                    mission_key=key,
                    step_id=step.id,
                )
            )
    return errors


def _contract_refs(ctx: DiscoveryContext, definition: MissionDefinition) -> list[Any]:
    from ._contracts import contract_ids

    refs = [s for s in definition.steps if s.contract_ref and s.id != RETROSPECTIVE]
    if not refs:
        return []
    known = contract_ids(ctx.builtin_root / "step_contracts", ctx.project_root)
    return [
        _error(
            "MISSION_CONTRACT_REF_UNRESOLVED",
            f"step {s.id!r} refers to step contract {s.contract_ref!r}, which does not exist",
            file=str(definition.path),
            mission_key=definition.key,
            step_id=s.id,
            contract_ref=s.contract_ref,
        )
        for s in refs
        if s.contract_ref not in known
    ]


def validate_custom_mission(ctx: DiscoveryContext, key: str) -> ValidationReport:
    """Discover, select and check the definition ``key``."""
    disc = discover(ctx)
    report = ValidationReport(mission_key=key, warnings=list(disc.warnings))
    matching = [c for c in disc.candidates if c.key == key]
    if not matching:
        report.errors.append(
            _error(
                "MISSION_KEY_UNKNOWN",
                f"no mission definition with key {key!r} in any tier",
                mission_key=key,
                tiers_searched=list(TIERS),
            )
        )
        return report
    top = matching[0]
    if top.failure is not None:
        report.errors.extend(_load_failure(top))
        return report
    report.selected = top
    shadowed = [str(c.path) for c in matching[1:] if c.definition is not None]
    if shadowed:
        report.warnings.append(
            {
                "code": "MISSION_KEY_SHADOWED",
                "message": f"{key!r} from tier {top.tier} shadows {len(shadowed)} other definition(s)",
                "details": {
                    "mission_key": key,
                    "selected_path": str(top.path),
                    "selected_tier": top.tier,
                    "shadowed_paths": shadowed,
                },
            }
        )
    if top.tier != "builtin" and key in RESERVED_BUILTIN_KEYS:
        report.errors.append(
            _error(
                "MISSION_KEY_RESERVED",
                f"{key!r} is a built-in mission key; a {top.tier} definition may not use it",
                mission_key=key,
                file=str(top.path),
                tier=top.tier,
                reserved_keys=sorted(RESERVED_BUILTIN_KEYS),
            )
        )
        return report
    report.errors.extend(_structural(report.definition, top.tier))
    if not report.errors:
        report.errors.extend(_contract_refs(ctx, report.definition))
    return report
