"""`spec-kitty sync bodies`: index mission artifacts, deliver the index events, upload bodies.

For each mission (``--mission`` selects one; default: every mission of the clone) the dossier
pipeline indexes the artifacts (meta.json, spec.md, plan.md, tasks.md, tasks/*.md, research/,
contracts/, checklists/ ...) and queues a MissionDossierArtifactIndexed event for each new or
changed one (`spec_kitty_cli.dossier`). With a server configured the pending events are delivered
first; then every body whose index event the SaaS accepted is read again, checked against the
indexed hash, queued in `.kittify/state/bodies.db` under the namespace (project_uuid,
mission_slug, target_branch, mission_type, manifest_version) and uploaded to
`POST {server}/api/dossier/push-content/`, each payload passing the contract gate first.
Without a server the index events stay queued and the bodies wait for them.

`sync now` runs ``spec_kitty_cli.dossier._steps.index_step`` before its event drain and :func:`drain_bodies_for_checkout`
after it. Heavy modules (httpx, rich, filelock) are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._output import json_option, success
from ..errors import CliError

BODIES_DB = "bodies.db"
DEFAULT_MAX_WAIT = 30.0  # seconds a drain keeps retrying backed-off bodies before returning
LONG_DRAIN = 50  # show a progress bar from this many pending bodies on (TTY, not --json)
Progress = Callable[[int, int], None]
if TYPE_CHECKING:
    from spec_kitty_bodysync.delivery import Notify


def server_settings() -> tuple[str, str] | None:
    """(url, token) from `spec-kitty auth` / the environment, or None when not configured."""
    from spec_kitty_bodysync.delivery import resolve_server
    from spec_kitty_bodysync.errors import SettingsError

    try:
        return resolve_server()
    except SettingsError as exc:
        if exc.code == "SYNC_NOT_CONFIGURED":
            return None
        raise


def sync_bodies(
    root: Path,
    *,
    mission: str | None = None,
    progress: Progress | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
    notify: Notify | None = None,
) -> dict[str, Any]:
    """Index, deliver the index events, then upload the accepted bodies. Returns report data.

    The body drain ends within ``max_wait`` seconds, requests in flight included (a request cut
    by that deadline raises SYNC_DEADLINE_EXCEEDED and leaves its row untouched).
    """
    from spec_kitty_bodysync.delivery import DeliverySettings

    from ..dossier import _steps as steps

    delivery = DeliverySettings.from_env()
    refs, data = steps.index_step(root, mission)
    zero = {"delivered": 0, "dead_letter": 0, "parked": 0, "retried": 0, "failures": []}
    settings = server_settings()
    if settings is None:
        data.update(zero, server="offline", status="queued offline", events=None)
    else:
        events = steps.drain_events(root, *settings, delivery=delivery, notify=notify)
        data["events"] = events.to_dict()
        if events.outcome != "drained":
            data.update(zero, server=settings[0], status="events not delivered")
        else:
            data.update(
                steps.body_step(
                    root,
                    refs,
                    settings=settings,
                    progress=progress,
                    max_wait=max_wait,
                    delivery=delivery,
                    notify=notify,
                )
            )
            for key, value in zero.items():
                data.setdefault(key, value)
    data.update(steps.queue_counts(root))
    data["pending"] = data["queue"]["pending"]
    return data


@contextlib.contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr that appears once a drain has LONG_DRAIN bodies."""
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if total < LONG_DRAIN:
                return
            from rich.progress import Progress as RichProgress

            from .._output import console

            state["bar"] = RichProgress(console=console(stderr=True), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("Uploading artifact bodies", total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def drain_bodies_for_checkout(
    root: Path,
    *,
    progress: bool | Progress | None = False,
    refs: list[Any] | None = None,
    notify: Notify | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
) -> dict[str, Any]:
    """`sync now`'s body step, after its events were delivered: upload the accepted bodies.

    ``refs``: the missions to cover (default: every mission; `sync now` passes those it
    indexed). ``progress`` is a ``(done, total)`` callback, or True for this module's own rich
    bar (stderr), or False/None for none. Raises the structured errors of the packages (e.g.
    BODY_SYNC_UNAUTHORIZED).
    """
    from ..dossier import _steps as steps
    from ..dossier import missions

    settings = server_settings()
    if settings is None:
        return {"status": "offline", **steps.queue_counts(root)}
    chosen = missions(root, None) if refs is None else refs

    def run(bar: Progress | None) -> dict[str, Any]:
        data = steps.body_step(
            root, chosen, settings=settings, progress=bar, max_wait=max_wait, notify=notify
        )
        data.update(steps.queue_counts(root))
        data["pending"] = data["queue"]["pending"]
        return data

    if callable(progress):
        return run(progress)
    with _progress_bar(bool(progress)) as bar:
        return run(bar)


@click.command("bodies")
@click.option(
    "--mission",
    "mission",
    default=None,
    metavar="MISSION",
    help="Mission slug, mission_id or unambiguous mission_id prefix (default: every mission).",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_MAX_WAIT,
    show_default=True,
    help="Seconds the drain may take, requests in flight and waits for backed-off bodies "
    "included; what is left stays queued.",
)
@json_option
def bodies(mission: str | None, max_wait: float, as_json: bool) -> None:
    """Index mission artifacts, deliver their index events, then upload the bodies.

    The SaaS accepts a body only for an artifact it indexed from a
    MissionDossierArtifactIndexed event, so the pending events go first and a body is queued
    only after its index event was accepted (a file changed since indexing is re-indexed, never
    uploaded with a stale hash). Server: SPEC_KITTY_SERVER_URL / SPEC_KITTY_TOKEN or `spec-kitty
    auth`; without one everything stays queued offline.

    Bodies the server refuses (4xx) are kept as dead letters with the reason, bodies the
    contract gate refuses are parked with the violation; both give exit 2, as do a refused
    token, an insecure server URL and a redirect. An unreachable server, one that runs past
    --max-wait mid-request (SYNC_DEADLINE_EXCEEDED) or answers too large or malformed
    (SYNC_ANSWER_TOO_LARGE, SYNC_ANSWER_INVALID) gives exit 1; everything undelivered stays
    queued for the next run. Progress goes to stderr after about a second (not with --json).
    """
    from .._project import checkout_root

    root = checkout_root()
    from spec_kitty_bodysync.delivery import DeliverySettings

    from .._sync_progress import SyncNotices

    DeliverySettings.from_env()  # a bad SPEC_KITTY_SYNC_* value is refused before any work
    configured = server_settings()
    target = configured[0] if configured else "the SaaS"
    with (
        _progress_bar(not as_json and sys.stderr.isatty()) as bar,
        SyncNotices(not as_json and configured is not None, target=target) as notices,
    ):
        data = sync_bodies(root, mission=mission, progress=bar, max_wait=max_wait, notify=notices)
    _raise_for(data)

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        out = console()
        out.print(
            f"Dossier: {data['indexed']} artifact(s) indexed, {len(data['missing'])} required "
            f"missing, {data['index_events']} event(s) queued",
            markup=False,
        )
        out.print(
            f"Bodies: {data.get('enqueued', 0)} queued, {data['delivered']} delivered, "
            f"{data['pending']} pending, {data.get('waiting_for_index', 0)} waiting for their "
            f"index event ({data['status']})",
            markup=False,
        )
        for miss in data["missing"]:
            out.print(f"  missing {escape(miss['mission_slug'])}/{escape(miss['artifact_path'])}")
        for skip in data["skipped"]:
            out.print(
                f"  skipped {escape(skip['mission_slug'])}/{escape(skip['artifact_path'])}: "
                f"{escape(skip['reason'])} ({escape(skip['detail'])})"
            )
        for item in data.get("toctou", []):
            out.print(
                f"  changed since indexed {escape(item['mission_slug'])}/"
                f"{escape(item['artifact_path'])}: re-indexed, the old body was not uploaded"
            )

    success(data, as_json=as_json, human=human)


def _raise_for(data: dict[str, Any]) -> None:
    events = data.get("events") or {}
    if data["status"] == "events not delivered":
        code = events.get("error_code") or "SYNC_EVENTS_REJECTED"
        raise CliError(
            code,
            f"the index events were not delivered ({events.get('error') or code}); the bodies "
            "wait for them",
            details=data,
            operator_fixable=code not in ("SYNC_SERVER_UNAVAILABLE", "SYNC_RESULTS_MISSING"),
        )
    if data["dead_letter"] or data["parked"]:
        raise CliError(
            "SYNC_BODIES_REJECTED",
            f"{data['dead_letter']} body(ies) refused by the server and {data['parked']} by the "
            "contract gate; they are kept with the reason (`spec-kitty sync status`)",
            details=data,
        )
    if data["status"] == "unreachable":
        raise CliError(
            "SYNC_SERVER_UNREACHABLE",
            f"the server {data['server']} could not be reached; {data['pending']} body(ies) stay "
            "queued",
            details=data,
            operator_fixable=False,
        )
