"""`spec-kitty doctor [--json]`: check local state without changing anything."""

from __future__ import annotations

from typing import Any

import click

from .._output import json_option
from ..errors import EXIT_OK, EXIT_USAGE


@click.command("doctor")
@click.option(
    "--reconcile",
    is_flag=True,
    help="First queue the logged events the event queue lacks (the one change doctor can "
    "make; `sync now` does the same before it sends).",
)
@json_option
def doctor(reconcile: bool, as_json: bool) -> int:
    """Check this project's local state without changing anything; each finding has a fix.

    Read-only unless --reconcile is given.

    \b
    Checks:
      identity      .kittify/config.yaml, build.json, node.json (never minted here)
      missions      every meta.json and WP prompt file (frontmatter, dependencies)
      status_logs   every status.events.jsonl line (torn or invalid lines, line numbers)
      event_queue   .kittify/state/events.db: integrity_check, schema, counts, dead letters
      body_queue    .kittify/state/bodies.db: the same
      unqueued_events  logged events of this checkout (status and run logs) missing from
                    the event queue; --reconcile queues them (same event_id)
      locks         lock files held longer than any command runs
      symlinks      links under .kittify/ and kitty-specs/ that lead out of the project
      server        the SaaS URL ($SPEC_KITTY_SERVER_URL or `auth login`): https, or
                    http only on a loopback host
    Legacy state waiting for `spec-kitty upgrade` is reported as LEGACY_STATE.

    Exit codes: 0 nothing to fix, 2 findings (each with a code and a fix).
    """
    from .._doctor import run_doctor
    from .._output import emit_json
    from .._project import checkout_root, main_repo_root

    reconciled = None
    if reconcile:
        from .._events import reconcile as queue_missing

        reconciled = queue_missing(checkout_root()).to_json_dict()
    report = run_doctor(checkout_root(), main_repo_root())
    if reconciled is not None:
        report.checks["reconciled"] = reconciled
    findings = [f.to_json_dict() for f in report.findings]
    if as_json:
        if report.clean:
            emit_json({"result": "success", "findings": [], "checks": report.checks})
        else:
            emit_json(
                {
                    "result": "error",
                    "error_code": "DOCTOR_FINDINGS",
                    "message": f"{len(findings)} thing(s) to fix",
                    "details": {"findings": findings, "checks": report.checks},
                }
            )
    else:
        _print(report.checks, findings)
    return EXIT_OK if report.clean else EXIT_USAGE


def _print(checks: dict[str, Any], findings: list[dict[str, Any]]) -> None:
    from rich.markup import escape

    from .._output import console

    out = console()
    failed = {f["check"] for f in findings}
    reconciled = checks.get("reconciled")
    if isinstance(reconciled, dict):
        out.print(f"reconciled: queued {reconciled['queued']} logged event(s)", markup=False)
    for name in checks:
        if name == "reconciled":
            continue
        mark = "[red]✗[/]" if name in failed else "[green]✓[/]"
        out.print(f"{mark} {name}")
    for finding in findings:
        where = finding["file"] or ""
        if finding["line"] is not None:
            where += f":{finding['line']}"
        out.print(f"[red]{escape(finding['code'])}[/] {escape(where)}")
        out.print(f"    {escape(finding['message'])}")
        out.print(f"    fix: {escape(finding['fix'])}")
    if not findings:
        out.print("[green]Nothing to fix.[/]")
