"""Typed plans and reports of an upgrade run (frozen, keyword-only; rendered by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

UpgradeStatus = Literal["planned", "up_to_date", "upgraded"]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One legacy thing found in one file (or one legacy queue) and what upgrade does about it.

    ``conflict`` set means the file is blocked: it is reported and left exactly as it is.
    ``work`` is the step's private, precomputed rewrite (never rendered).
    """

    step: str
    path: str
    summary: str
    changes: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    conflict: str | None = None
    rows: int = 0
    work: Any = field(default=None, repr=False, compare=False)

    @property
    def blocked(self) -> bool:
        return self.conflict is not None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step,
            "path": self.path,
            "summary": self.summary,
            "changes": list(self.changes),
            "derived": list(self.derived),
        }
        if self.conflict is not None:
            data["conflict"] = self.conflict
        if self.rows:
            data["rows"] = self.rows
        return data


@dataclass(frozen=True, kw_only=True)
class StepPlan:
    """What one migration step found and intends to do."""

    step: str
    title: str
    findings: tuple[Finding, ...] = ()
    touches: tuple[Path, ...] = ()

    @property
    def actionable(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.blocked)

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocked)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.step,
            "title": self.title,
            "findings": [f.to_dict() for f in self.actionable],
            "conflicts": [f.to_dict() for f in self.conflicts],
            "files": [str(p) for p in self.touches],
        }


@dataclass(frozen=True, kw_only=True)
class UpgradePlan:
    """The detected legacy state of one checkout and the planned rewrites."""

    checkout_root: Path
    steps: tuple[StepPlan, ...]

    @property
    def pending(self) -> bool:
        """True when at least one file would change."""
        return any(step.actionable for step in self.steps)

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        return tuple(f for step in self.steps for f in step.conflicts)

    @property
    def touches(self) -> tuple[Path, ...]:
        return tuple(p for step in self.steps for p in step.touches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkout_root": str(self.checkout_root),
            "pending": self.pending,
            "steps": [s.to_dict() for s in self.steps],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True, kw_only=True)
class StepReport:
    """What one step changed."""

    step: str
    title: str
    changed: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    conflicts: tuple[Finding, ...] = ()
    rows_imported: int = 0
    rows_already_present: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.step,
            "title": self.title,
            "changed": list(self.changed),
            "created": list(self.created),
            "notes": list(self.notes),
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
        if self.rows_imported or self.rows_already_present:
            data["rows_imported"] = self.rows_imported
            data["rows_already_present"] = self.rows_already_present
        return data


@dataclass(frozen=True, kw_only=True)
class UpgradeReport:
    """The outcome of `spec-kitty upgrade` (applied or planned)."""

    checkout_root: Path
    status: UpgradeStatus
    dry_run: bool
    plan: UpgradePlan
    steps: tuple[StepReport, ...] = ()
    run_id: str | None = None
    backup_dir: Path | None = None
    resumed: bool = False
    verified: bool = False

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        if self.dry_run or not self.steps:
            return self.plan.conflicts
        return tuple(c for step in self.steps for c in step.conflicts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "checkout_root": str(self.checkout_root),
            "run_id": self.run_id,
            "backup_dir": None if self.backup_dir is None else str(self.backup_dir),
            "resumed": self.resumed,
            "verified": self.verified,
            "plan": self.plan.to_dict(),
            "applied": [s.to_dict() for s in self.steps],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
