"""`spec-kitty agent tasks finalize|move`: seed and move work packages (JSON for agents).

Both write through the status model of spec-kitty-orchestrator-api (per-mission lock, append-only
status.events.jsonl, status.json) and queue their events (WPCreated, WPStatusChanged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .._lazy import SpecKittyGroup
from .._mission_select import mission_option, select_mission
from .._output import json_option, success

if TYPE_CHECKING:
    from spec_kitty_orchestrator_api import Host


@click.group("tasks", cls=SpecKittyGroup)
def tasks() -> None:
    """Finalize a mission's work packages and move them between lanes."""


def _host() -> Host:
    from spec_kitty_orchestrator_api import Host

    from .._project import checkout_root, main_repo_root
    from .._queue_sink import QueueSink

    checkout = checkout_root()
    return Host(main_repo_root(), sink=QueueSink(checkout), checkout=checkout)


@tasks.command("finalize")
@mission_option
@click.option(
    "--actor",
    default="finalize-tasks",
    show_default=True,
    help="Who finalizes, as recorded in the status log.",
)
@json_option
def finalize(mission: str | None, actor: str, as_json: bool) -> None:
    """Validate every WP prompt file and seed new work packages in planned.

    Checks tasks/WPnn[-title].md frontmatter (unknown keys, ids, dependencies, cycles) and
    reports every problem of every file at once; then records a first move into planned and
    queues WPCreated for each work package not seen before. Running it again seeds only new
    files. A minimal work package file, tasks/WP02-payment.md:

    \b
        ---
        work_package_id: WP02
        title: Payment port
        dependencies: [WP01]
        ---
        What to build, for the agent.

    Then runs the dossier pipeline for the mission (index events for new or changed
    artifacts, missing required artifacts, snapshot).
    """
    from spec_kitty_orchestrator_api import finalize as run

    from .._mission_create import dossier_brief
    from .._project import checkout_root
    from ..dossier import index_mission_dir

    data = run(_host(), select_mission(mission).slug, actor)
    data["dossier"] = dossier_brief(index_mission_dir(checkout_root(), data["mission_slug"]))

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        out = console()
        slug = escape(data["mission_slug"])
        out.print(f"[green]✓[/] {slug}: {len(data['work_packages'])} work packages")
        for wp_id in data["seeded"]:
            out.print(f"  seeded {wp_id} in planned", markup=False)
        if data["already_seeded"]:
            out.print(f"  already seeded: {', '.join(data['already_seeded'])}", markup=False)

    success(data, as_json=as_json, human=human)


@tasks.command("move")
@click.argument("wp_id")
@click.option(
    "--to",
    "to_lane",
    required=True,
    metavar="LANE",
    help="Target lane: planned, claimed, in_progress, for_review, approved, done, blocked or "
    "canceled (`doing` means in_progress).",
)
@mission_option
@click.option("--note", default=None, help="Reason (required with --force).")
@click.option("--force", is_flag=True, default=False, help="Bypass the transition table.")
@click.option("--review-ref", default=None, help="Review reference (rollbacks need one).")
@click.option("--evidence-json", default=None, help="DoneEvidence JSON for approved/done.")
@click.option(
    "--actor",
    envvar="SPEC_KITTY_ACTOR",
    default="operator",
    show_default=True,
    help="Who moves it, as recorded in the status log [env: SPEC_KITTY_ACTOR].",
)
@json_option
def move(
    wp_id: str,
    to_lane: str,
    mission: str | None,
    note: str | None,
    force: bool,
    review_ref: str | None,
    evidence_json: str | None,
    actor: str,
    as_json: bool,
) -> None:
    """Move work package WP_ID to another lane (3.0.0 transition table and guards).

    `doing` is accepted as input for in_progress. approved/done record evidence: --evidence-json
    when given, completed from git (the WP workspace or the main repository) and the review
    reference.
    """
    from spec_kitty_orchestrator_api import transition

    data = transition(
        _host(),
        select_mission(mission).slug,
        wp_id,
        to_lane,
        actor,
        note=note,
        force=force,
        review_ref=review_ref,
        evidence_json=evidence_json,
        policy_required=False,
    )

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        forced = " (forced)" if force else ""
        moved = f"{escape(wp_id)}: {escape(str(data['from_lane']))}"
        console().print(f"[green]✓[/] {moved} → [bold]{escape(data['to_lane'])}[/]{forced}")

    success(data, as_json=as_json, human=human)
