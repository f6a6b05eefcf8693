"""`spec-kitty sync events`: list the events queued in this checkout, as stored and gate-checked."""

from __future__ import annotations

from typing import Any

import click

from .._output import json_option, success

STATES = ("pending", "delivered", "duplicate", "rejected")


def _short(aggregate_id: str) -> str:
    """`<mission_id>:WP01` -> `WP01`; a bare mission_id -> its first 8 characters."""
    return aggregate_id.rsplit(":", 1)[1] if ":" in aggregate_id else aggregate_id[:8]


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
@click.option("--full", is_flag=True, help="Include each full envelope (JSON output).")
@json_option
def events(state: str | None, limit: int, full: bool, as_json: bool) -> None:
    """List queued events in journal order with their delivery state.

    Every listed envelope passed the contract gate before it was stored; the build_id shown is
    the one stored with the event (never re-stamped). Reading never creates the queue.
    """
    import json

    from spec_kitty_identity import checkout_state_dir

    from .._project import checkout_root

    root = checkout_root()
    path = checkout_state_dir(root) / "events.db"
    rows: list[dict[str, Any]] = []
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
        keys = ("event_id", "event_type", "aggregate_type", "aggregate_id", "lamport_clock")
        for *columns, build_id, row_state, text in reversed(fetched):
            # The journal's own columns, exactly as stored with the event: never re-derived.
            row: dict[str, Any] = dict(zip(keys, columns, strict=True))
            row["build_id"] = build_id
            row["state"] = row_state
            if full:
                row["envelope"] = json.loads(text)
            rows.append(row)
    data = {"queue_file": str(path), "count": len(rows), "events": rows}

    def human() -> None:
        from rich.table import Table

        from .._output import console

        table = Table(title=f"Queued events ({len(rows)})")
        for column in ("lamport", "event_type", "aggregate", "state", "build_id"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row["lamport_clock"]),
                row["event_type"],
                f"{row['aggregate_type']} {_short(row['aggregate_id'])}",
                row["state"],
                row["build_id"][:8],
            )
        console().print(table)

    success(data, as_json=as_json, human=human)
