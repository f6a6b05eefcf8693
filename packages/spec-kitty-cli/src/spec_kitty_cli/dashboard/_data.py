"""The records behind every dashboard endpoint, built by the same code as the CLI's `--json`.

`/api/missions` is `mission list --json`, `/api/missions/M/status` is `status --mission M --json`,
`/api/sync` is `sync status --json` and `/api/identity` is `identity show --json`; the other
endpoints add what only the page needs (card details, history, timeline, run progress). Every
method returns one JSON-ready dict with ``"result": "success"`` or raises an error that carries
``code`` and ``details``. Nothing here writes a file, prints or exits.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from . import _records
from ._views import CachedHost, FixedHost, MissionCache, file_stat, mission_fingerprint

ENDPOINTS = {
    "registry": "/api/registry",
    "changes": "/api/changes",
    "missions": "/api/missions",
    "status": "/api/missions/{mission}/status",
    "board": "/api/missions/{mission}/board",
    "history": "/api/missions/{mission}/wps/{wp_id}/history",
    "timeline": "/api/missions/{mission}/timeline",
    "run": "/api/missions/{mission}/run",
    "sync": "/api/sync",
    "identity": "/api/identity",
}


class NotFoundError(Exception):
    """A path, mission or work package the dashboard does not know (HTTP 404)."""

    operator_fixable = True  # a spec_kitty_identity.StructuredError

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def _ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"result": "success", **data}


def _error_row(exc: Exception) -> dict[str, Any]:
    from spec_kitty_identity import as_structured

    error = as_structured(exc)
    if error is None:
        raise exc
    return {"code": error.code, "message": error.message or str(exc)}


class DashboardData:
    """One project, seen read-only: ``root`` holds the missions, ``checkout`` the queues."""

    def __init__(self, root: Path, checkout: Path) -> None:
        self.root = Path(root)
        self.checkout = Path(checkout)
        self.cache = MissionCache(self.root)
        self.host = CachedHost(self.cache)

    # -- the CLI's own records -----------------------------------------------------------------
    def missions(self) -> dict[str, Any]:
        from ..commands.mission import mission_rows

        return _ok({"missions": mission_rows(self.root)})

    def status(self, mission: str) -> dict[str, Any]:
        from ..commands.status import board

        return _ok(board(mission, self.host))

    def sync(self) -> dict[str, Any]:
        from ..commands.sync import status_data

        return _ok(status_data(self.checkout))

    def identity(self) -> dict[str, Any]:
        from spec_kitty_identity import load_project_identity

        sections = load_project_identity(self.checkout).as_sections()
        return _ok({"checkout_root": str(self.checkout), **sections})

    # -- what the page adds --------------------------------------------------------------------
    def registry(self) -> dict[str, Any]:
        """Every mission with lane counts, last activity and run state (`dashboard --json`)."""
        from spec_kitty_identity import list_missions
        from spec_kitty_orchestrator_api import LANES

        from ..commands.mission import _identity_row

        rows = []
        for ref in list_missions(self.root):
            row = _identity_row(ref)
            try:
                view = self.cache.entry_for(ref.path).view
                lanes = [view.lane(wp_id) for wp_id in view.wp_ids()]
                counts = {lane: lanes.count(lane) for lane in LANES}
                row.update(
                    summary=counts,
                    total_wps=len(lanes),
                    done_count=counts["done"],
                    last_activity=view.reduced.last_at or ref.identity.created_at,
                    warnings=view.log.warnings(),
                )
            except Exception as exc:  # one broken mission must not hide the others
                row["error"] = _error_row(exc)
            row["run"] = self._run_summary(ref.slug, ref.identity.mission_id)
            rows.append(row)
        return _ok(
            {
                "project_root": str(self.root),
                "lanes": list(LANES),
                "missions": rows,
                "endpoints": ENDPOINTS,
            }
        )

    def warm(self) -> int:
        """Read every mission into the cache (the server does it on start, in the background,
        so the first page never waits for a large log); returns how many are cached."""
        try:
            self.registry()
        except Exception as exc:  # reported to the page on request, with its code
            from spec_kitty_identity import as_structured

            if as_structured(exc) is None:
                raise
        return len(self.cache)

    def _run_summary(self, slug: str, mission_id: str) -> dict[str, Any]:
        from ..missions_custom._progress import run_progress

        progress = run_progress(self.root, slug, mission_id)
        return {k: progress[k] for k in ("state", "counts", "reason") if k in progress}

    def board(self, mission: str) -> dict[str, Any]:
        from ..commands.status import board

        entry = self.cache.entry(mission)

        def make(view: Any) -> dict[str, Any]:
            record = board(mission, FixedHost(self.root, view))
            return _ok(_records.card_details(view, record))

        doc: dict[str, Any] = entry.memo("board", make)
        return doc

    def history(self, mission: str, wp_id: str) -> dict[str, Any]:
        entry = self.cache.entry(mission)
        if wp_id not in entry.view.wps and wp_id not in entry.view.reduced.wps:
            raise NotFoundError(
                "WP_NOT_FOUND",
                f"work package {wp_id} is not in mission {entry.view.slug}",
                {"mission_slug": entry.view.slug, "wp_id": wp_id},
            )
        records = entry.memo("by_wp", _records.by_wp).get(wp_id, [])
        return _ok(_records.wp_history(entry.view, records, wp_id))

    def timeline(self, mission: str) -> dict[str, Any]:
        return _ok(self.cache.entry(mission).memo("timeline", _records.timeline))

    def run(self, mission: str) -> dict[str, Any]:
        from ..missions_custom._progress import run_progress

        view = self.cache.entry(mission).view
        progress = run_progress(self.root, view.slug, view.mission_id)
        return _ok({**view.identity_fields(), "mission_id": view.mission_id, "run": progress})

    def changes(self) -> dict[str, Any]:
        """A token that changes whenever anything a page shows may have changed (cheap: stats)."""
        parts: list[Any] = []
        specs = self.root / "kitty-specs"
        try:
            names = sorted(e.name for e in os.scandir(specs) if e.is_dir())
        except OSError:
            names = []
        for name in names:
            parts.append((name, mission_fingerprint(specs / name)))
        runtime = self.root / ".kittify" / "runtime"
        parts.append(file_stat(runtime / "mission-runs.json"))
        try:
            runs = sorted(e.name for e in os.scandir(runtime / "runs") if e.is_dir())
        except OSError:
            runs = []
        parts.extend(file_stat(runtime / "runs" / r / "state.json") for r in runs)
        from spec_kitty_identity import checkout_state_dir

        state = checkout_state_dir(self.checkout)
        for name in (
            "events.db",
            "events.db-wal",
            "bodies.db",
            "bodies.db-wal",
            "dossier.db",
            "dossier.db-wal",
            "build.json",
        ):
            parts.append(file_stat(state / name))
        parts.append(file_stat(self.checkout / ".kittify" / "config.yaml"))
        from spec_kitty_bodysync.delivery import credentials_path

        parts.append(file_stat(credentials_path()))
        token = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        return _ok({"token": token})
