"""`mission run` as a function: selector, validation, mission creation, run start or attach.

Nothing is written before validation passed: the selector is checked first (an existing mission,
or a new kebab-case slug), then the definition; only then is the runtime folder locked, the
mission created when new (canonical meta.json via the shared create path) and the run started
or attached. The result is the exit code and the contract envelope.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._discovery import DiscoveryContext
from ._runs import RunRecord, attach, runtime_dir, start
from ._validate import ValidationReport, validate_custom_mission
from .errors import MissionDefinitionError, RunStartError

EXIT_OK, EXIT_INFRA, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True, kw_only=True)
class RunOutcome:
    """What `mission run` reports: exit code, envelope, and the human message."""

    exit_code: int
    envelope: dict[str, Any]
    message: str
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _selector(root: Path, selector: str) -> Any:
    """The existing mission the selector names, or None for a valid new slug."""
    from spec_kitty_identity import MissionNotFoundError, resolve_mission, validate_mission_slug

    try:
        return resolve_mission(root, selector)
    except MissionNotFoundError:
        validate_mission_slug(selector)
        return None


def _record(
    root: Path,
    ctx: DiscoveryContext,
    report: ValidationReport,
    selector: str,
    existing: Any,
    checkout: Path,
) -> RunRecord:
    from .._mission_create import create
    from ..runtime import index_lock
    from ._contracts import contract_ids

    definition = report.definition
    runtime = runtime_dir(root)
    with index_lock(runtime):
        if existing is None:
            data = create(
                checkout,
                title=selector,
                mission_type=definition.key,
                target_branch=None,
                slug=selector,
            )
            slug, mission_id = str(data["mission_slug"]), str(data["mission_id"])
        else:
            slug, mission_id = existing.slug, existing.identity.mission_id
        found = attach(runtime, slug, mission_id)
        if found is not None:
            return found
        contracts = contract_ids(ctx.builtin_root / "step_contracts", root)
        return start(checkout, runtime, report, contracts, mission_slug=slug, mission_id=mission_id)


def _all_errors(errors: list[MissionDefinitionError]) -> MissionDefinitionError:
    """The first error, its details extended with ``errors``: every problem found, in order."""
    first = errors[0]
    listed = [{"code": e.code, "message": e.message, "details": dict(e.details)} for e in errors]
    message = first.message
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s): see details.errors)"
    return MissionDefinitionError(first.code, message, {**first.details, "errors": listed})


def _error(exc: Any, warnings: list[dict[str, Any]], exit_code: int) -> RunOutcome:
    envelope = {
        "result": "error",
        "error_code": str(exc.code),
        "message": str(exc.message),
        "details": dict(exc.details),
        "warnings": warnings,
    }
    return RunOutcome(
        exit_code=exit_code, envelope=envelope, message=str(exc.message), warnings=warnings
    )


def run_custom_mission(
    project_root: Path,
    mission_key: str,
    selector: str,
    *,
    builtin_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    explicit_paths: Sequence[Path] = (),
) -> RunOutcome:
    """Validate ``mission_key`` and start (or attach to) its run for the mission ``selector``."""
    from spec_kitty_identity import main_root_of

    from ..builtin_missions import BUILTIN_MISSIONS_ROOT

    warnings: list[dict[str, Any]] = []
    checkout = project_root.resolve()
    root = main_root_of(checkout)  # missions, definitions and runs are the main repository's
    try:
        existing = _selector(root, selector)
        ctx = DiscoveryContext(
            project_root=root,
            builtin_root=builtin_root or BUILTIN_MISSIONS_ROOT,
            home=home or Path.home(),
            environ=os.environ if environ is None else environ,
            explicit_paths=tuple(explicit_paths),
        )
        report = validate_custom_mission(ctx, mission_key)
        warnings = report.warnings
        if report.errors:
            raise _all_errors(report.errors)
        record = _record(root, ctx, report, selector, existing, checkout)
    except MissionDefinitionError as exc:
        return _error(exc, warnings, EXIT_USAGE)
    except (OSError, ValueError, RunStartError) as exc:
        failure = RunStartError(
            f"could not start the run: {exc}",
            {"mission_key": mission_key, "mission_slug": selector, "reason": str(exc)},
        )
        return _error(failure, warnings, EXIT_INFRA)
    except Exception as exc:
        from spec_kitty_identity import as_structured

        error = as_structured(exc)
        if error is None:
            raise
        if error.operator_fixable:
            return _error(exc, warnings, EXIT_USAGE)
        failure = RunStartError(
            f"could not start the run: {error.message}",
            {
                "mission_key": mission_key,
                "mission_slug": selector,
                "cause": error.code,
                **error.details,
            },
        )
        return _error(failure, warnings, EXIT_INFRA)
    return _success(root, record, warnings)


def _success(root: Path, record: RunRecord, warnings: list[dict[str, Any]]) -> RunOutcome:
    mission_dir = str((root / "kitty-specs" / record.mission_slug).resolve())
    envelope = {
        "result": "success",
        "mission_key": record.mission_key,
        "mission_slug": record.mission_slug,
        "mission_id": record.mission_id,
        "feature_dir": mission_dir,
        "mission_dir": mission_dir,
        "run_dir": str(record.run_dir),
        "warnings": warnings,
    }
    verb = "Attached to the running" if record.attached else "Started a"
    message = (
        f"{verb} runtime of definition {record.mission_key!r} for mission "
        f"{record.mission_slug} ({record.mission_id})."
    )
    return RunOutcome(exit_code=EXIT_OK, envelope=envelope, message=message, warnings=warnings)
