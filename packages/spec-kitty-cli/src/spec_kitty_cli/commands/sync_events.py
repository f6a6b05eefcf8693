"""`spec-kitty sync events`: list the events queued in this checkout, as stored and gate-checked."""

from __future__ import annotations

from typing import Any

import click

from .._output import json_option, success

STATES = ("pending", "delivered", "duplicate", "rejected")


def _short(aggregate_id: str) -> str:
    """`<mission_id>:WP01` -> `WP01`; a bare mission_id -> its first 8 characters."""
    return aggregate_id.rsplit(":", 1)[1] if ":" in aggregate_id else aggregate_id[:8]


STATE_STYLE = {"pending": "yellow", "delivered": "green", "duplicate": "green", "rejected": "red"}


def _change(event_type: str, text: str) -> str:
    """What the event changed, for people: `planned → claimed` for a status change."""
    import json

    if event_type != "WPStatusChanged":
        return ""
    try:
        payload = json.loads(text).get("payload", {})
    except (ValueError, AttributeError):
        return ""
    return f"{payload.get('from_lane') or '∅'} → {payload.get('to_lane')}"


def _envelope(path: Any, text: str) -> Any:
    """A stored envelope, read as the untrusted file content it is (bounded, depth-checked)."""
    from spec_kitty_identity import InputRejected, loads_json

    from ..errors import CliError

    try:
        return loads_json(text)
    except ValueError as exc:
        reason = exc.reason if isinstance(exc, InputRejected) else "invalid_json"
        raise CliError(
            "EVENT_QUEUE_CORRUPT",
            f"{path} holds an envelope that cannot be read ({exc}); `spec-kitty doctor` checks it",
            details={"file": str(path), "reason": reason},
        ) from exc


@click.command("events")
@click.option(
    "--state", type=click.Choice(STATES), default=None, help="Only events in this delivery state."
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Newest N events (0: all).",
)
@click.option(
    "--full", is_flag=True, help="Include each full envelope (printed below the table for people)."
)
@json_option
def events(state: str | None, limit: int, full: bool, as_json: bool) -> None:
    """List queued events in journal order with their delivery state.

    Every listed envelope passed the contract gate before it was stored; the build_id shown is
    the one stored with the event (never re-stamped). Reading never creates the queue.
    """

    from spec_kitty_identity import checkout_state_dir

    from .._project import checkout_root

    root = checkout_root()
    path = checkout_state_dir(root) / "events.db"
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    total = 0
    if path.is_file():
        from .._events import EventQueue

        sql = (
            "SELECT j.event_id, j.event_type, j.aggregate_type, j.aggregate_id, j.lamport_clock,"
            " j.build_id, d.state, j.envelope FROM event_journal j"
            " JOIN event_delivery d ON d.seq = j.seq"
            " WHERE (? IS NULL OR d.state = ?) ORDER BY j.seq DESC LIMIT ?"
        )
        params = (state, state, limit or -1)  # LIMIT -1: no limit
        with EventQueue(path) as queue:
            fetched = queue.conn.execute(sql, params).fetchall()
            total = queue.conn.execute(
                "SELECT count(*) FROM event_delivery WHERE (? IS NULL OR state = ?)",
                (state, state),
            ).fetchone()[0]
        keys = ("event_id", "event_type", "aggregate_type", "aggregate_id", "lamport_clock")
        for *columns, build_id, row_state, text in reversed(fetched):
            # The journal's own columns, exactly as stored with the event: never re-derived.
            row: dict[str, Any] = dict(zip(keys, columns, strict=True))
            row["build_id"] = build_id
            row["state"] = row_state
            if full:
                row["envelope"] = _envelope(path, text)
            rows.append(row)
            texts.append(text)
    data = {"queue_file": str(path), "count": len(rows), "events": rows}

    def human() -> None:
        from rich.markup import escape
        from rich.table import Table

        from .._output import console

        out = console()
        if not rows:
            which = f"in state {state}" if state else "queued"
            out.print(f"No events {which} in this checkout.", markup=False)
            out.print("Events are queued as you work: `spec-kitty agent mission create` starts.")
            return
        shown = f"{len(rows)} of {total}" if len(rows) < total else f"all {total}"
        more = " (the newest; --limit 0 shows all)" if len(rows) < total else ""
        table = Table(title=f"Queued events: {shown}{more}")
        table.add_column("lamport", justify="right")
        table.add_column("event", no_wrap=True)
        table.add_column("subject")
        table.add_column("state")
        table.add_column("build")
        for row, text in zip(rows, texts, strict=True):
            change = _change(row["event_type"], text)
            subject = f"{row['aggregate_type']} {_short(row['aggregate_id'])}"
            table.add_row(
                str(row["lamport_clock"]),
                escape(row["event_type"]),
                escape(f"{_short(row['aggregate_id'])}: {change}" if change else subject),
                f"[{STATE_STYLE.get(row['state'], 'white')}]{escape(str(row['state']))}[/]",
                escape(str(row["build_id"])[:8]),
            )
        out.print(table)
        if full:
            from rich.json import JSON

            for row in rows:
                out.print(f"[bold]{escape(str(row['event_id']))}[/]")
                out.print(JSON.from_data(row["envelope"]))

    success(data, as_json=as_json, human=human)
