"""`spec-kitty status --mission M [--json]`: a mission's kanban board of work packages."""

from __future__ import annotations

from typing import Any

import click

from .._mission_select import mission_option, select_mission
from .._output import json_option, success


def board(mission: str, host: Any = None, *, for_people: bool = False) -> dict[str, Any]:
    """The board data (read-only: reduces the status log in memory).

    ``host`` is an orchestrator-api Host (default: the main repository's); the dashboard passes
    one that answers from its cache, so the page and this command build the same record.
    ``for_people`` adds what only the human board shows (the last transition's reason).
    """
    from spec_kitty_orchestrator_api import Host, mission_state

    from .._project import main_repo_root
    from ..runtime import run_progress

    host = host if host is not None else Host(main_repo_root())
    root = host.root
    state = mission_state(host, mission)
    progress = run_progress(root, state["mission_slug"])
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
                **({"last_reason": status.last_reason} if for_people else {}),
            }
        )
    return {
        **{k: state[k] for k in ("mission_slug", "mission_number", "mission_type", "mission_id")},
        "summary": state["summary"],
        "total_wps": total,
        "done_count": done,
        "done_percentage": round(100 * done / total, 1) if total else 0.0,
        "work_packages": wps,
        "run": progress.to_dict() if progress is not None else None,
        "warnings": state.get("warnings", []),
    }


LANE_STYLE = {
    "planned": "white",
    "claimed": "cyan",
    "in_progress": "yellow",
    "for_review": "magenta",
    "approved": "blue",
    "done": "green",
    "blocked": "red",
    "canceled": "dim",
}


def _card(wp: dict[str, Any], lanes_by_id: dict[str, str]) -> str:
    from rich.markup import escape

    lines = [f"[bold]{escape(wp['wp_id'])}[/] {escape(wp['title'] or '')}"]
    deps = wp.get("dependencies") or []
    if deps:
        marks = [
            f"{escape(dep)} {'[green]✓[/]' if lanes_by_id.get(dep) in ('approved', 'done') else '[red]✗[/]'}"
            for dep in deps
        ]
        lines.append(f"  [dim]needs[/] {' '.join(marks)}")
    if wp.get("last_actor"):
        lines.append(f"  [dim]{escape(wp['last_actor'])}[/]")
    if wp["lane"] == "blocked":
        reason = wp.get("last_reason") or (wp.get("notes") or ["no reason given"])[-1]
        lines.append(f"  [red]blocked:[/] {escape(str(reason))}")
    return "\n".join(lines)


def _render(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .._output import console

    out = console()
    title = f"{escape(data['mission_slug'])} ({escape(data['mission_type'])})"
    if not data["work_packages"]:
        out.print(f"[bold]{title}[/]: no work packages yet.")
        if data["run"] is not None:
            _render_run(out, data["run"])
            return
        out.print(
            "Next: write tasks/WP01-<title>.md files in the mission folder, then run "
            f"`spec-kitty agent tasks finalize --mission {escape(data['mission_slug'])}`."
        )
        return
    lanes = [lane for lane, count in data["summary"].items() if count]
    table = Table(
        title=title,
        caption=f"{data['done_count']}/{data['total_wps']} done ({data['done_percentage']}%)",
        show_lines=True,
    )
    for lane in lanes:
        style = LANE_STYLE.get(lane, "white")
        table.add_column(f"[{style}]{lane}[/] ({data['summary'][lane]})", vertical="top")
    lanes_by_id = {wp["wp_id"]: wp["lane"] for wp in data["work_packages"]}
    cells: dict[str, list[str]] = {lane: [] for lane in lanes}
    for wp in data["work_packages"]:
        cells[wp["lane"]].append(_card(wp, lanes_by_id))
    table.add_row(*("\n".join(cells[lane]) for lane in lanes))
    out.print(table)
    if data["run"] is not None:
        _render_run(out, data["run"])
    for warning in data["warnings"]:
        out.print(f"[yellow]warning:[/] {escape(str(warning))}")


def _render_run(out: Any, run: dict[str, Any]) -> None:
    from rich.markup import escape

    color = {"running": "cyan", "blocked": "red", "completed": "green"}.get(run["status"], "white")
    out.print(
        f"Run [{color}]{escape(str(run['status']))}[/]: {run['steps_done']}/{run['steps_total']} "
        f"steps done ({escape(run['mission_type'])}, run {escape(str(run['run_id'])[:8])})"
    )
    if run["issued"]:
        held = run["issued"]
        out.print(f"  issued: {escape(held['step_id'])} to {escape(held['agent'])}")
    if run["waiting"]:
        out.print(f"  waiting: {escape(', '.join(run['waiting']))}")
    if run["decisions_open"]:
        out.print(f"  decisions open: {escape(', '.join(run['decisions_open']))}")
    if run["blocked_reason"]:
        out.print(f"  blocked: {escape(run['blocked_reason'])}")


@click.command("status")
@mission_option
@json_option
def status(mission: str | None, as_json: bool) -> None:
    """Show the kanban board of a mission: work packages by lane, with progress.

    Without --mission, the mission is inferred (see --mission) and named on stderr.
    When the mission has a run (`spec-kitty next`, `mission run`), its progress follows: steps
    done, the step issued and to whom, steps waiting, decisions open.
    Read-only: the status log is reduced in memory; nothing is written.
    """
    data = board(select_mission(mission).slug, for_people=not as_json)
    success(data, as_json=as_json, human=lambda: _render(data))
