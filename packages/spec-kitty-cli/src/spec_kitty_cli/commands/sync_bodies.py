"""`spec-kitty sync bodies`: queue mission artifact bodies and upload them to the SaaS.

For each mission (``--mission`` selects one; default: every mission of this checkout) the
artifacts (meta.json, spec.md, plan.md, tasks.md, tasks/*.md, research/, contracts/,
checklists/ ...) are hashed and queued in `.kittify/state/bodies.db` under the namespace
(project_uuid, mission_slug, target_branch, mission_type, manifest_version). When a server is
configured the queue is drained to `POST {server}/api/dossier/push-content/`, each payload
passing the contract gate first; otherwise the bodies stay "queued offline".

`sync now` calls :func:`drain_bodies_for_checkout` after the events were delivered.
Heavy modules (httpx, rich, filelock) are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import sys
import time
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


def _missions(root: Path, selector: str | None) -> list[Any]:
    """The missions to collect: the main repository's (shared by every checkout of the clone)."""
    from spec_kitty_identity import list_missions, main_root_of, resolve_mission

    root = main_root_of(root)
    if selector is not None:
        return [resolve_mission(root, selector)]
    return list_missions(root)


def enqueue_missions(root: Path, queue: Any, selector: str | None) -> dict[str, Any]:
    """Collect and queue the artifact bodies of the selected missions (one transaction each)."""
    from spec_kitty_bodysync import NamespaceRef, collect_artifacts, manifest_version_for
    from spec_kitty_identity import load_project_identity

    project_uuid = load_project_identity(root).project_uuid
    enqueued = already = 0
    skipped: list[dict[str, str]] = []
    slugs: list[str] = []
    for ref in _missions(root, selector):
        ident = ref.identity
        namespace = NamespaceRef(
            project_uuid=project_uuid,
            mission_slug=ident.mission_slug,
            target_branch=ident.target_branch,
            mission_type=ident.mission_type,
            manifest_version=manifest_version_for(ident.mission_type),
        )
        collected = collect_artifacts(ref.path, max_bytes=queue.max_body_bytes)
        results = queue.enqueue_many(namespace, collected.artifacts)
        enqueued += sum(1 for r in results if r == "enqueued")
        already += sum(1 for r in results if r == "already_queued")
        skipped.extend(
            {"mission_slug": ident.mission_slug, **s._asdict()} for s in collected.skipped
        )
        slugs.append(ident.mission_slug)
    return {"missions": slugs, "enqueued": enqueued, "already_queued": already, "skipped": skipped}


@contextlib.contextmanager
def _drain_lock(db_path: Path) -> Iterator[bool]:
    """True when this process may drain; False when another drain of this queue is running."""
    from filelock import FileLock, Timeout

    from spec_kitty_identity import guard_state_path

    lock = FileLock(str(guard_state_path(Path(f"{db_path}.lock"))))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def sync_bodies(
    root: Path,
    *,
    mission: str | None = None,
    progress: Progress | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
    notify: Notify | None = None,
) -> dict[str, Any]:
    """Queue the bodies, then drain them if a server is configured. Returns the report data.

    The drain ends within ``max_wait`` seconds, requests in flight included (a request cut by
    that deadline raises SYNC_DEADLINE_EXCEEDED and leaves its row untouched).
    """
    from spec_kitty_bodysync import BodyQueue, HttpTransport, drain
    from spec_kitty_bodysync.delivery import DeliverySettings
    from spec_kitty_identity import checkout_state_dir

    delivery = DeliverySettings.from_env()

    db_path = checkout_state_dir(root) / BODIES_DB
    from spec_kitty_identity import guard_sqlite_path

    with BodyQueue(guard_sqlite_path(db_path)) as queue:
        data: dict[str, Any] = {
            "queue_file": str(db_path),
            **enqueue_missions(root, queue, mission),
        }
        drained = {"delivered": 0, "dead_letter": 0, "parked": 0, "retried": 0}
        settings = server_settings()
        if settings is None:
            data.update(drained, server="offline", status="queued offline", failures=[])
        else:
            url, token = settings
            with _drain_lock(db_path) as mine:
                if not mine:
                    data.update(drained, server=url, status="drain already running", failures=[])
                else:
                    ends = time.monotonic() + max_wait
                    with HttpTransport(url, token, settings=delivery, deadline=ends) as transport:
                        report = drain(
                            queue,
                            transport,
                            deadline=time.time() + max_wait,
                            backoff=delivery.backoff(),
                            on_progress=progress,
                            notify=notify,
                        )
                    data.update(
                        server=url,
                        status=report.stopped,
                        delivered=report.delivered,
                        already_present=report.already_present,
                        dead_letter=report.dead_letter,
                        parked=report.parked,
                        retried=report.retried,
                        next_attempt_at=report.next_attempt_at,
                        failures=[f.__dict__ for f in report.failures],
                    )
        counts = queue.counts()
    data["pending"] = counts["pending"]
    data["queue"] = counts
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
    notify: Notify | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
) -> dict[str, Any]:
    """`sync now`'s body step: queue every mission's bodies and drain them.

    ``progress`` is a ``(done, total)`` callback, or True for this module's own rich bar
    (stderr), or False/None for none. Returns the same data as `sync bodies --json` (without
    "result"). Raises the structured errors of the packages (e.g. BODY_SYNC_UNAUTHORIZED).
    """
    if callable(progress):
        return sync_bodies(root, progress=progress, notify=notify, max_wait=max_wait)
    with _progress_bar(bool(progress)) as bar:
        return sync_bodies(root, progress=bar, notify=notify, max_wait=max_wait)


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
    """Queue mission artifact bodies and upload them to the SaaS (push-content).

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

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        out = console()
        out.print(
            f"Bodies: {data['enqueued']} queued, {data['already_queued']} already queued, "
            f"{data['delivered']} delivered, {data['pending']} pending "
            f"([bold]{escape(str(data['status']))}[/])"
        )
        for skip in data["skipped"]:
            out.print(
                f"  skipped {escape(skip['mission_slug'])}/{escape(skip['artifact_path'])}: "
                f"{escape(skip['reason'])} ({escape(skip['detail'])})"
            )

    success(data, as_json=as_json, human=human)
