"""`spec-kitty sync now|status|bodies`: deliver this checkout's queued events and bodies.

`sync now` drains the event queue (`.kittify/state/events.db`) in gated batches to
`POST {server}/api/v1/events/batch/`, then drains artifact bodies through
:func:`spec_kitty_cli.commands.sync_bodies.drain_bodies_for_checkout` (bodies go only after
every event was answered: the SaaS needs the index events first). Both go through the one
delivery mechanism, ``spec_kitty_bodysync.delivery`` (settings, backoff, HTTP client, limits).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from .._lazy import LazyGroup
from .._output import json_option, success
from ..errors import CliError

LONG_DRAIN = 200  # show a progress bar from this many items on (TTY, not --json)
_FIXABLE = {  # the rest (server unreachable, too slow, answers too large or malformed): exit 1
    "SERVER_URL_INSECURE",
    "SYNC_REDIRECT_REFUSED",
    "SYNC_AUTH_FAILED",
    "SYNC_ENDPOINT_NOT_FOUND",
    "SYNC_PROTOCOL_MISMATCH",
    "SYNC_BATCH_REJECTED",
    "SYNC_EVENT_TOO_LARGE",
}


@click.group(
    "sync",
    cls=LazyGroup,
    lazy={
        "now": ("spec_kitty_cli.commands.sync", "now", "Deliver queued events, then bodies."),
        "status": ("spec_kitty_cli.commands.sync", "status", "Show queue counts and last error."),
        "bodies": (
            "spec_kitty_cli.commands.sync_bodies",
            "bodies",
            "Artifact body sync queue (dossier bodies).",
        ),
        "events": ("spec_kitty_cli.commands.sync_events", "events", "List queued events."),
    },
)
def sync() -> None:
    """Deliver this checkout's queued events and artifact bodies to the SaaS."""


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], Callable[[int, int], None] | None]]:
    """Yields a factory ``label -> progress(done, total)`` (a rich bar on long drains)."""
    bars: dict[str, Any] = {}

    def factory(label: str) -> Callable[[int, int], None] | None:
        if not enabled:
            return None

        def update(done: int, total: int) -> None:
            if label not in bars:
                if total < LONG_DRAIN:
                    return
                if "_bar" not in bars:
                    from rich.progress import Progress

                    from .._output import console

                    bars["_bar"] = Progress(console=console(stderr=True), transient=True)
                    bars["_bar"].start()
                bars[label] = bars["_bar"].add_task(label, total=total)
            bars["_bar"].update(bars[label], completed=done, total=total)

        return update

    try:
        yield factory
    finally:
        if "_bar" in bars:
            bars["_bar"].stop()


def drain_bodies(
    root: Path,
    progress: Callable[[int, int], None] | None,
    refs: list[Any],
    *,
    notify: Callable[[Any], None] | None = None,
    max_wait: float | None = None,
) -> dict[str, Any]:
    """The body step of `sync now`; a structured failure becomes ``{"status": "failed", ...}``.

    ``max_wait``: what is left of the run's deadline (at most the body drain's own default).
    """
    from .sync_bodies import DEFAULT_MAX_WAIT, drain_bodies_for_checkout

    wait = DEFAULT_MAX_WAIT if max_wait is None else max(0.0, min(max_wait, DEFAULT_MAX_WAIT))
    try:
        report = drain_bodies_for_checkout(
            root, progress=progress, refs=refs, notify=notify, max_wait=wait
        )
    except Exception as exc:
        from spec_kitty_identity import as_structured

        error = as_structured(exc)
        if error is None:
            raise
        return {
            "status": "failed",
            "error_code": error.code,
            "message": error.message or str(exc),
            "operator_fixable": error.operator_fixable,
        }
    return {"status": "ran", "report": report}


@click.command("now")
@click.option("--events-only", is_flag=True, help="Deliver events only; leave bodies queued.")
@json_option
def now(events_only: bool, as_json: bool) -> None:
    """Index mission artifacts, deliver every pending event in batches, then the bodies.

    The dossier pipeline runs first (new or changed artifacts get an index event; see `spec-kitty
    dossier show`); a body is uploaded only after the SaaS accepted its index event.

    First reconciles: any event of this checkout's local logs (status.events.jsonl) that the
    queue lacks is queued from its log line (same event_id), so a crash between the two writes
    loses nothing and sends nothing twice.

    Retries 429/5xx/timeouts/refused connections with backoff (honouring Retry-After) within
    bounds (SPEC_KITTY_SYNC_MAX_ATTEMPTS per request, SPEC_KITTY_SYNC_DEADLINE for the whole
    run, bodies included); what is left stays queued for the next run. Progress (attempts,
    waits, what is pending) goes to stderr when the run takes over a second (not with --json).

    Exit 0 when everything was accepted; 2 when the server or the gate rejected events, the
    token was refused, the server URL is insecure (SERVER_URL_INSECURE) or redirected
    (SYNC_REDIRECT_REFUSED); 1 when the server could not be reached, ran past the deadline
    (SYNC_DEADLINE_EXCEEDED) or answered too large (SYNC_ANSWER_TOO_LARGE) or malformed
    (SYNC_ANSWER_INVALID) - nothing of such an answer is stored.
    """
    import time

    from spec_kitty_bodysync.delivery import DeliverySettings, resolve_server

    from .._events import drain_checkout, reconcile
    from .._events._sync import queue_status
    from .._project import checkout_root
    from .._sync_progress import SyncNotices
    from ..dossier._steps import index_step

    root = checkout_root()
    url, token = resolve_server()
    reconciled = reconcile(root)  # the local logs are the truth: queue what they hold first
    settings = DeliverySettings.from_env()
    started = time.monotonic()
    refs, dossier = index_step(root, None)
    with (
        _progress(not as_json and sys.stderr.isatty()) as progress,
        SyncNotices(not as_json, target=url) as notices,
    ):
        report = drain_checkout(
            root,
            server_url=url,
            token=token,
            settings=settings,
            progress=progress("events"),
            notify=notices,
        )
        if events_only:
            bodies: dict[str, Any] = {"status": "skipped", "reason": "--events-only"}
        elif report.outcome != "drained":
            bodies = {"status": "skipped", "reason": "events were not all delivered"}
        else:
            left = settings.deadline - (time.monotonic() - started)
            bodies = drain_bodies(root, progress("bodies"), refs, notify=notices, max_wait=left)
    data = {
        "server_url": url,
        "dossier": {k: v for k, v in dossier.items() if k != "dossier"},
        "reconciled": reconciled.to_json_dict(),
        "events": report.to_dict(),
        "bodies": bodies,
        "queue": queue_status(root)["counts"],
    }
    _raise_for(report, bodies, data)

    def human() -> None:
        from .._output import console

        out = console()
        out.print(
            f"[green]✓[/] Events: {report.delivered} delivered, {report.duplicate} already "
            f"known, {report.rejected} rejected; {data['queue']['pending']} pending"
        )
        body_report = bodies.get("report")
        if isinstance(body_report, dict):
            out.print(
                f"  bodies: {body_report.get('delivered', 0)} delivered, "
                f"{body_report.get('pending', 0)} pending",
                markup=False,
            )
        else:
            out.print(f"  bodies: {bodies['status']}", markup=False)

    success(data, as_json=as_json, human=human)


def _raise_for(report: Any, bodies: dict[str, Any], data: dict[str, Any]) -> None:
    if report.outcome in ("failed", "incomplete"):
        code = report.error_code or "SYNC_INCOMPLETE"
        raise CliError(
            code,
            f"sync stopped: {report.error or code}; undelivered events stay queued",
            details=data,
            operator_fixable=code in _FIXABLE,
        )
    if report.rejected or report.rejected_locally:
        raise CliError(
            "SYNC_EVENTS_REJECTED",
            f"{report.rejected + report.rejected_locally} event(s) were rejected and are kept "
            "with the reason (`spec-kitty sync status`)",
            details=data,
        )
    if bodies.get("status") == "failed":
        raise CliError(
            "SYNC_BODIES_FAILED",
            f"events delivered; body sync failed: {bodies.get('error_code')}: "
            f"{bodies.get('message')}",
            details=data,
            operator_fixable=bool(bodies.get("operator_fixable")),
        )
    body_report = bodies.get("report") if bodies.get("status") == "ran" else None
    if isinstance(body_report, dict):
        refused = int(body_report.get("dead_letter") or 0) + int(body_report.get("parked") or 0)
        if refused:
            raise CliError(
                "SYNC_BODIES_REJECTED",
                f"events delivered; {refused} artifact body(ies) were refused and are kept with "
                "the reason (`spec-kitty sync status`)",
                details=data,
            )
        if int(body_report.get("pending") or 0):
            raise CliError(
                "SYNC_BODIES_INCOMPLETE",
                f"events delivered; {body_report['pending']} artifact body(ies) stay queued "
                f"({body_report.get('status')})",
                details=data,
                operator_fixable=False,
            )


def body_counts(root: Path) -> dict[str, Any]:
    """Body queue counts via spec_kitty_bodysync.BodyQueue, without creating bodies.db."""
    from spec_kitty_identity import checkout_state_dir

    path = checkout_state_dir(root) / "bodies.db"
    if not path.is_file():
        return {"status": "empty", "queue_file": str(path), "counts": {}}
    import sqlite3

    from spec_kitty_bodysync import BodyQueue
    from spec_kitty_identity import connect_readonly

    try:
        connection = connect_readonly(path)
    except sqlite3.Error as exc:
        raise CliError(
            "BODY_QUEUE_UNREADABLE",
            f"cannot read the body queue {path}: {exc}; `spec-kitty doctor` checks it",
            details={"file": str(path), "sqlite_error": str(exc)},
        ) from exc
    with BodyQueue(path, connection=connection) as queue:
        counts = dict(queue.counts())
    return {"status": "ok", "queue_file": str(path), "counts": counts}


def status_data(root: Path) -> dict[str, Any]:
    """What `sync status --json` reports for a checkout (never the token)."""
    from spec_kitty_bodysync.delivery import server_settings

    from .._events._sync import queue_status
    from ..dossier import dossier_summary

    settings = server_settings()
    settings.pop("credentials_file", None)
    return {
        "checkout_root": str(root),
        "events": queue_status(root),
        "bodies": body_counts(root),
        "dossier": dossier_summary(root),
        "server": settings,
    }


@click.command("status")
@json_option
def status(as_json: bool) -> None:
    """Show event counts by delivery state, the next retry, the last error, body counts and,
    per mission, the dossier: artifacts indexed and missing, snapshot hash, parity and drift."""
    from .._project import checkout_root

    data = status_data(checkout_root())
    settings = data["server"]

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        out = console()
        events = data["events"]
        counts = events["counts"]
        shown = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "total")
        out.print(f"Events: {shown}", markup=False)
        if events["last_error"]:
            err = events["last_error"]
            out.print(f"  last error: {escape(str(err['code']))}: {escape(str(err['message']))}")
        bodies = data["bodies"]
        body_counts = ", ".join(f"{k} {v}" for k, v in bodies["counts"].items() if k != "total")
        out.print(f"Bodies: {bodies['status']}, {body_counts or 'none queued'}", markup=False)
        for item in data["dossier"]:
            drift = item["drift"]
            missing = ", ".join(item["artifacts_missing"]) or "none"
            out.print(
                f"Dossier {item['mission_slug']}: {item['artifacts_indexed']} indexed, "
                f"missing: {missing}; snapshot {str(item['snapshot_hash'])[:12]} "
                f"({item['parity']}" + (f", drift: {drift['kind']})" if drift else ")"),
                markup=False,
            )
        url = settings["server_url"]
        if not url:
            out.print("Server: not configured (`spec-kitty auth login --server URL` sets one)")
            return
        from spec_kitty_bodysync.delivery import require_secure_url
        from spec_kitty_bodysync.errors import SettingsError

        try:
            require_secure_url(url)
            out.print(f"Server: {escape(url)}")
        except SettingsError:
            out.print(
                f"Server: {escape(url)} [red](refused: plain http only to loopback; use https://)[/]"
            )

    success(data, as_json=as_json, human=human)
