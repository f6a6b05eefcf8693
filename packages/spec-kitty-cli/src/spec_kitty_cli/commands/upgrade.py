"""`spec-kitty upgrade`: rewrite legacy local state to canonical mission terms.

The only module of the CLI that imports spec_kitty_migrate (an import-linter contract and a
test prove it): every other command fails closed on legacy state and points here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._output import json_option, success

if TYPE_CHECKING:
    from spec_kitty_migrate import Finding, UpgradePlan, UpgradeReport


def _rel(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _render_plan(plan: UpgradePlan, out: Any) -> None:
    from rich.markup import escape

    for step in plan.steps:
        if not step.findings:
            continue
        out.print(f"[bold]{escape(step.title)}[/]")
        for finding in step.findings:
            where = escape(_rel(finding.path, plan.checkout_root))
            if finding.blocked:
                out.print(f"  [red]✗ {where}[/]: {escape(finding.conflict or '')}")
                continue
            out.print(f"  [cyan]{where}[/]: {escape(finding.summary)}")
            for change in finding.changes:
                out.print(f"      {escape(change)}")
            for value in finding.derived:
                out.print(f"      [yellow]derived[/] {escape(value)}")


def _render_report(report: UpgradeReport) -> None:
    from .._output import console

    out = console()
    if report.status == "up_to_date":
        out.print("[green]✓[/] Nothing to upgrade: this checkout is already in canonical terms.")
        return
    _render_plan(report.plan, out)
    if report.dry_run:
        apply = "spec-kitty upgrade" if sys.stdin.isatty() else "spec-kitty upgrade --yes"
        out.print(f"[yellow]Dry run[/]: nothing was changed. Run `{apply}` to apply.")
        return
    if report.status == "planned":
        out.print("Nothing was changed.")
        return
    changed = sum(len(s.changed) for s in report.steps)
    rows = sum(s.rows_imported for s in report.steps)
    resumed = " (resumed an interrupted run)" if report.resumed else ""
    out.print(
        f"[green]✓[/] Upgraded{resumed}: {changed} file(s) rewritten, {rows} queued body row(s) "
        f"imported; verified."
    )
    out.print(f"  backup and manifest: {report.backup_dir}", markup=False)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    tasks: dict[str, Any] = {}
    with Progress(transient=True) as bar:

        def tick(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield tick


def _confirmer(yes: bool, as_json: bool) -> Callable[[UpgradePlan], bool]:
    def confirm(plan: UpgradePlan) -> bool:
        from spec_kitty_migrate import UpgradeNeedsConfirmationError

        if yes:
            return True
        if not sys.stdin.isatty():
            raise UpgradeNeedsConfirmationError(
                "upgrade would change files and stdin is not a terminal; rerun with --yes "
                "(or --dry-run to only see the plan)",
                details={"plan": plan.to_dict(), "hint": "spec-kitty upgrade --yes"},
            )
        from .._output import console

        _render_plan(plan, console(stderr=True))
        return click.confirm("Apply these changes?", default=False, err=True)

    return confirm


def _conflict_error(report: UpgradeReport, conflicts: tuple[Finding, ...]) -> Exception:
    from spec_kitty_migrate import UpgradeConflictError

    names = ", ".join(c.path for c in conflicts[:3])
    return UpgradeConflictError(
        f"{len(conflicts)} file(s) hold conflicting legacy and canonical values and were left "
        f"untouched ({names}); fix them by hand and rerun `spec-kitty upgrade`",
        details={"conflicts": [c.to_dict() for c in conflicts], "report": report.to_dict()},
    )


def _legacy_emitter(root: Path) -> Callable[[dict[str, Any]], str | None]:
    """The event sink upgrade hands legacy events to: this checkout's event queue, gated.

    Returns None when the event is queued (or already was: a resumed run), else the reason the
    contract gate or the queue refused it (upgrade then reports the event instead).
    """

    def emit(fact: dict[str, Any]) -> str | None:
        from datetime import datetime

        from spec_kitty_gate import ContractViolation
        from spec_kitty_identity import checkout_state_dir

        from .._events import EVENTS_DB, EventQueue, emit_event
        from ..errors import CliError

        event_id = str(fact["event_id"])
        with EventQueue(checkout_state_dir(root) / EVENTS_DB) as queue:
            if queue.delivery(event_id) is not None:
                return None
        stamp = fact.get("timestamp")
        try:
            when = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
        except ValueError:
            when = None
        try:
            emit_event(
                root,
                event_type=fact["event_type"],
                aggregate_type=fact["aggregate_type"],
                aggregate_id=fact["aggregate_id"],
                payload=fact["payload"],
                event_id=event_id,
                timestamp=when if when is not None and when.tzinfo is not None else None,
            )
        except (ContractViolation, CliError) as exc:
            return str(exc)
        return None

    return emit


def _live_problems(root: Path) -> list[str]:
    """Run the live loaders (identity, every mission's meta, WP files and status log) over the
    checkout: what a live command would refuse after the upgrade."""
    from spec_kitty_identity import list_missions, load_project_identity

    from .status import board

    def why(exc: Exception) -> str:
        return f"{getattr(exc, 'code', type(exc).__name__)}: {getattr(exc, 'message', exc)}"

    problems: list[str] = []
    try:
        load_project_identity(root)
    except Exception as exc:  # every loader error is reported, none is fatal here
        problems.append(f"project identity: {why(exc)}")
    try:
        missions = list_missions(root)
    except Exception as exc:
        return [*problems, f"missions: {why(exc)}"]
    for mission in missions:
        try:
            board(mission.slug)
        except Exception as exc:
            problems.append(f"mission {mission.slug}: {why(exc)}")
    return problems


@click.command("upgrade")
@click.option("--dry-run", is_flag=True, help="Detect and print the plan; change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed without a TTY).")
@json_option
def upgrade(dry_run: bool, yes: bool, as_json: bool) -> None:
    """Rewrite legacy local state of this checkout to canonical mission terms.

    Detects legacy meta.json keys, identity in legacy positions of .kittify/config.yaml, legacy
    status lines and WP frontmatter, and legacy body upload queues; prints the plan; backs up
    every file it touches (.kittify/state/upgrade-backups/<run-id>/ with a sha256 manifest);
    rewrites; verifies that the runtime loaders accept the result. Safe to rerun: a second run
    changes nothing, and a run that was killed is resumed.
    """
    from spec_kitty_migrate import run_upgrade

    from .._project import checkout_root

    root = checkout_root()
    show_bar = not as_json and sys.stderr.isatty()
    with _progress(show_bar) as tick:
        report = run_upgrade(
            root,
            dry_run=dry_run,
            confirm=_confirmer(yes, as_json),
            progress=tick,
            emit=_legacy_emitter(root),
        )
    if report.conflicts and not report.dry_run:
        raise _conflict_error(report, report.conflicts)
    if not report.dry_run and report.status != "planned":
        problems = _live_problems(root)
        if problems:
            from spec_kitty_migrate import UpgradeVerifyError

            raise UpgradeVerifyError(
                f"{len(problems)} live check(s) still refuse this checkout after the upgrade: "
                f"{problems[0]}",
                details={"problems": problems, "report": report.to_dict()},
            )
    success(report.to_dict(), as_json=as_json, human=lambda: _render_report(report))
