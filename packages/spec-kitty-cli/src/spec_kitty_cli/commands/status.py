"""`spec-kitty status --mission M [--json]`: a mission's kanban board of work packages."""

from __future__ import annotations

from typing import Any

import click

from .._mission_select import mission_option, select_mission
from .._output import json_option, success


def board(mission: str, host: Any = None) -> dict[str, Any]:
    """The board data (read-only: reduces the status log in memory).

    ``host`` is an orchestrator-api Host (default: the main repository's); the dashboard passes
    one that answers from its cache, so the page and this command build the same record.
    """
    from spec_kitty_orchestrator_api import Host, mission_state

    from .._project import main_repo_root

    host = host if host is not None else Host(main_repo_root())
    state = mission_state(host, mission)
    view = host.open(mission)
    total = len(state["work_packages"])
    done = state["summary"]["done"]
    wps = []
    for wp in state["work_packages"]:
        status = view.status(wp["wp_id"])
        wps.append(
            {
                **wp,
                "last_transition_at": status.last_transition_at,
                "force_count": status.force_count,
                "notes": list(status.notes),
            }
        )
    return {
        **{k: state[k] for k in ("mission_slug", "mission_number", "mission_type", "mission_id")},
        "summary": state["summary"],
        "total_wps": total,
        "done_count": done,
        "done_percentage": round(100 * done / total, 1) if total else 0.0,
        "work_packages": wps,
        "warnings": state.get("warnings", []),
    }


def _render(data: dict[str, Any]) -> None:
    from rich.table import Table

    from .._output import console

    out = console()
    lanes = [lane for lane, count in data["summary"].items() if count]
    table = Table(
        title=f"{data['mission_slug']} ({data['mission_type']})",
        caption=f"{data['done_count']}/{data['total_wps']} done ({data['done_percentage']}%)",
        show_lines=True,
    )
    for lane in lanes:
        table.add_column(f"{lane} ({data['summary'][lane]})", vertical="top")
    cells: dict[str, list[str]] = {lane: [] for lane in lanes}
    for wp in data["work_packages"]:
        who = f"\n  [dim]{wp['last_actor']}[/]" if wp["last_actor"] else ""
        cells[wp["lane"]].append(f"[bold]{wp['wp_id']}[/] {wp['title'] or ''}{who}")
    if lanes:
        table.add_row(*("\n".join(cells[lane]) for lane in lanes))
    out.print(table)
    for warning in data["warnings"]:
        out.print(f"[yellow]warning:[/] {warning}")


@click.command("status")
@mission_option
@json_option
def status(mission: str | None, as_json: bool) -> None:
    """Show the kanban board of a mission: work packages by lane, with progress.

    Without --mission, the mission is inferred (see --mission) and named on stderr.
    Read-only: the status log is reduced in memory; nothing is written.
    """
    data = board(select_mission(mission).slug)
    success(data, as_json=as_json, human=lambda: _render(data))
