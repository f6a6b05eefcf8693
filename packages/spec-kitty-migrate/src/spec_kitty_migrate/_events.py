# SQL text is built only from this module's constant table names; values are bound.
# ruff: noqa: S608
"""Step `event-queue`: events the older releases queued for the SaaS and never sent.

Read here and only here (never written: legacy files are evidence):

- 2.x-3.1 ``~/.spec-kitty/queue.db`` (and ``queues/queue-<scope>.db``), table ``queue``: one
  envelope per row in ``data`` (FeatureCreated, WPStatusChanged, WPCreated, HistoryAdded,
  MissionDossier*, ...), shared by every project of the user: only rows whose envelope names
  THIS project's uuid are taken.
- 3.2 ``~/.spec-kitty/projects/<uuid>/sync/sync.db``, table ``journal_entries``: the envelope
  base64-encoded in ``payload_json.payload``; ``body_upload_tasks`` rows are reported.

Every row ends in exactly one place: translated to a canonical 3.0.0 event and handed to the
caller's event sink (the CLI's per-checkout queue, same event id), or written to the report
`.kittify/state/legacy-events.jsonl` with the reason and the original row. That file is also the
ledger: a row already in it is never handled twice, so a second upgrade changes nothing.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_kitty_identity import LANES, checkout_state_dir

from ._context import Project, write_text
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeDependencyError, UpgradeUnparseableError

STEP_ID = "event-queue"
TITLE = "Queued events of older releases: translated into the event queue, or reported"
LEDGER = "legacy-events.jsonl"
LANE_MAP = {"doing": "in_progress", "in_review": "for_review"}
MAX_ROWS = 200_000


@dataclass(frozen=True, kw_only=True)
class LegacyEvent:
    source: str
    key: str
    event_id: str
    event_type: str
    envelope: dict[str, Any]


def ledger_path(project: Project) -> Path:
    return checkout_state_dir(project.root) / LEDGER


def _handled(project: Project) -> set[tuple[str, str]]:
    path = ledger_path(project)
    if not path.is_file():
        return set()
    done = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            done.add((str(record["source"]), str(record["key"])))
        except (ValueError, KeyError, TypeError):
            continue
    return done


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _queue_rows(path: Path, uuid: str) -> Iterator[LegacyEvent]:
    conn = _connect(path)
    try:
        if "queue" not in _tables(conn):
            return
        rows = conn.execute(f"SELECT id, event_id, event_type, data FROM queue LIMIT {MAX_ROWS}")
        for row_id, event_id, event_type, data in rows:
            try:
                envelope = json.loads(data)
            except (TypeError, ValueError):
                envelope = {"unparseable_data": str(data)}
            if str(envelope.get("project_uuid", "")).lower() != uuid:
                continue
            yield LegacyEvent(
                source=str(path),
                key=f"queue:{row_id}",
                event_id=str(event_id),
                event_type=str(event_type),
                envelope=envelope,
            )
    finally:
        conn.close()


def _sync_rows(path: Path, uuid: str) -> Iterator[LegacyEvent]:
    conn = _connect(path)
    try:
        found = _tables(conn)
        if "journal_entries" in found:
            sql = "SELECT entry_id, payload_json FROM journal_entries WHERE lower(project_uuid) = ?"
            for entry_id, payload_json in conn.execute(sql, (uuid,)):
                envelope: dict[str, Any]
                try:
                    outer = json.loads(payload_json)
                    envelope = json.loads(base64.b64decode(outer["payload"]))
                except (TypeError, ValueError, KeyError):
                    envelope = {"undecodable_entry": str(payload_json)}
                yield LegacyEvent(
                    source=str(path),
                    key=f"journal:{entry_id}",
                    event_id=str(envelope.get("event_id", entry_id)),
                    event_type=str(envelope.get("event_type", "?")),
                    envelope=envelope,
                )
        if "body_upload_tasks" in found:
            sql = "SELECT * FROM body_upload_tasks WHERE lower(project_uuid) = ?"
            cur = conn.execute(sql, (uuid,))
            names = [d[0] for d in cur.description]
            for row in cur:
                record = dict(zip(names, row, strict=True))
                yield LegacyEvent(
                    source=str(path),
                    key=f"body:{record['body_task_id']}",
                    event_id=str(record["body_task_id"]),
                    event_type="BodyUpload",
                    envelope=record,
                )
    finally:
        conn.close()


def sources(project: Project, uuid: str) -> list[tuple[Path, Any]]:
    user = project.home / ".spec-kitty"
    found: list[tuple[Path, Any]] = [(user / "queue.db", _queue_rows)]
    if (user / "queues").is_dir():
        found += [(p, _queue_rows) for p in sorted((user / "queues").glob("*.db"))]
    found.append((user / "projects" / uuid / "sync" / "sync.db", _sync_rows))
    return [(p, reader) for p, reader in found if p.is_file()]


def pending(project: Project) -> list[LegacyEvent]:
    uuid = (project.project_uuid() or "").lower()
    if not uuid:
        return []
    done = _handled(project)
    rows: list[LegacyEvent] = []
    for path, reader in sources(project, uuid):
        try:
            rows += [e for e in reader(path, uuid) if (e.source, e.key) not in done]
        except sqlite3.Error as exc:
            raise UpgradeUnparseableError(
                f"{path} is not a readable SQLite database; fix or move it, then rerun upgrade",
                details={"file": str(path), "reason": str(exc)},
            ) from exc
    return rows


def detect(project: Project) -> StepPlan:
    rows = pending(project)
    if not rows:
        return StepPlan(step=STEP_ID, title=TITLE)
    findings = []
    for source in dict.fromkeys(r.source for r in rows):
        mine = [r for r in rows if r.source == source]
        kinds = sorted({r.event_type for r in mine})
        findings.append(
            Finding(
                step=STEP_ID,
                path=source,
                rows=len(mine),
                summary=f"{len(mine)} queued legacy event(s) of this project",
                changes=(
                    f"event types: {', '.join(kinds)}",
                    "mapped ones -> the event queue (same event id), the rest -> "
                    f".kittify/state/{LEDGER} with the reason",
                ),
            )
        )
    return StepPlan(
        step=STEP_ID, title=TITLE, findings=tuple(findings), touches=(ledger_path(project),)
    )


def _lane(value: Any) -> str | None:
    lane = LANE_MAP.get(value, value) if isinstance(value, str) else None
    return lane if lane in LANES else None


def translate(project: Project, event: LegacyEvent) -> tuple[dict[str, Any] | None, str]:
    """(canonical fact for the sink, or None; the reason)."""
    from spec_kitty_identity import load_mission_meta

    if event.event_type not in ("FeatureCreated", "MissionCreated", "WPStatusChanged"):
        return None, f"{event.event_type} has no 3.0.0 event mapping; kept here verbatim"
    payload = event.envelope.get("payload")
    if not isinstance(payload, dict):
        return None, "no payload object"
    slug = payload.get("mission_slug") or payload.get("feature_slug")
    meta = project.specs / str(slug) / "meta.json" if slug else None
    if meta is None or not meta.is_file():
        return None, f"mission {slug!r} is not in this checkout's kitty-specs/"
    try:
        mission = load_mission_meta(meta)
    except Exception as exc:  # IdentityError: the meta step reported it
        return None, f"meta.json of {slug!r} is not canonical ({exc})"
    if event.event_type in ("FeatureCreated", "MissionCreated"):
        fact = {
            "event_type": "MissionCreated",
            "aggregate_type": "Mission",
            "aggregate_id": mission.mission_id,
            "payload": {
                "mission_slug": mission.mission_slug,
                "mission_number": mission.mission_number,
                "mission_type": mission.mission_type,
            },
        }
        return fact, f"{event.event_type} -> MissionCreated"
    if event.event_type == "WPStatusChanged":
        wp_id, to_lane = payload.get("wp_id"), _lane(payload.get("to_lane"))
        raw_from = payload.get("from_lane")
        from_lane = None if raw_from in (None, "genesis") else _lane(raw_from)
        if (
            not isinstance(wp_id, str)
            or to_lane is None
            or (raw_from and from_lane is None and raw_from != "genesis")
        ):
            return None, "lanes or wp_id not mappable to 3.0.0"
        actor = payload.get("actor")
        fact = {
            "event_type": "WPStatusChanged",
            "aggregate_type": "WorkPackage",
            "aggregate_id": f"{mission.mission_id}:{wp_id}",
            "payload": {
                "mission_slug": mission.mission_slug,
                "wp_id": wp_id,
                "from_lane": from_lane,
                "to_lane": to_lane,
                "actor": actor if isinstance(actor, str) and actor else "unknown",
                "force": bool(payload.get("force", False)),
                "reason": payload.get("reason") or None,
                "execution_mode": "worktree",
                "review_ref": None,
                "evidence": None,
            },
        }
    return fact, "WPStatusChanged -> WPStatusChanged (3.0.0 lanes)"


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    if not plan.actionable:
        return StepReport(step=STEP_ID, title=TITLE)
    if ctx.emit is None:
        raise UpgradeDependencyError(
            "no event queue was given to the upgrade; run it through `spec-kitty upgrade`",
            details={"step": STEP_ID},
        )
    rows = pending(project)
    path = ledger_path(project)
    lines = [path.read_text(encoding="utf-8")] if path.is_file() else []
    imported = reported = 0
    for n, event in enumerate(rows, start=1):
        fact, reason = translate(project, event)
        outcome = "reported"
        if fact is not None:
            refusal = ctx.emit(
                {**fact, "event_id": event.event_id, "timestamp": event.envelope.get("timestamp")}
            )
            if refusal is None:
                outcome = "imported"
            else:
                reason = f"{reason}; refused by the contract gate: {refusal}"
        imported += outcome == "imported"
        reported += outcome == "reported"
        record = {
            "source": event.source,
            "key": event.key,
            "event_id": event.event_id,
            "event_type": event.event_type,
            "outcome": outcome,
            "reason": reason,
            "original": event.envelope,
        }
        lines.append(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str) + "\n")
        ctx.tick("legacy events", n, len(rows))
    write_text(path, "".join(lines))
    return StepReport(
        step=STEP_ID,
        title=TITLE,
        changed=(str(path),),
        rows_imported=imported,
        notes=(
            f"{imported} legacy event(s) imported into the event queue, {reported} reported "
            f"in {path} with the reason",
        ),
    )


def verify(project: Project, report: StepReport) -> list[str]:
    left = pending(project)
    return [f"{len(left)} legacy event(s) neither imported nor reported"] if left else []
