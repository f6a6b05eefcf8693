"""`spec-kitty mission ...`: list, inspect, create and run missions (human first, --json too).

    list      every mission in kitty-specs/ with its canonical identity
    info      one mission (slug, mission_id or an unambiguous id prefix)
    current   the mission of $SPEC_KITTY_MISSION or of the current branch
    create    `agent mission create` for people
    run       start (or attach to) a runtime for a custom mission definition

Heavy modules (rich, yaml, filelock) are imported inside the commands that use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .._lazy import SpecKittyGroup
from .._output import json_option, success
from ..errors import EXIT_USAGE
from .agent_mission import create_options

MISSION_ENV = "SPEC_KITTY_MISSION"


@click.group("mission", cls=SpecKittyGroup)
def mission() -> None:
    """List, inspect, create and run missions."""


def _identity_row(ref: Any) -> dict[str, Any]:
    return {**ref.identity.to_json_dict(), "mission_dir": str(ref.path.resolve())}


def _print_identity(row: dict[str, Any]) -> None:
    from rich.markup import escape

    from .._output import console

    out = console()
    out.print(f"[bold]{escape(row['mission_slug'])}[/]  {escape(row['friendly_name'])}")
    for key in ("mission_id", "mission_number", "mission_type", "target_branch", "created_at"):
        out.print(f"  {key}: {escape(str(row[key]))}")
    out.print(f"  mission_dir: {escape(row['mission_dir'])}")


def mission_rows(root: Path) -> list[dict[str, Any]]:
    """The `mission list` records: identity, `mission_dir` and the run state (or null)."""
    from spec_kitty_identity import list_missions

    from ..runtime import all_progress

    runs = all_progress(root)
    rows = []
    for ref in list_missions(root):
        row = _identity_row(ref)
        progress = runs.get(ref.slug)
        row["run"] = (
            {
                "status": progress.status,
                "steps_done": progress.steps_done,
                "steps_total": progress.steps_total,
            }
            if progress is not None and progress.mission_id == ref.identity.mission_id
            else None
        )
        rows.append(row)
    return rows


@mission.command("list", short_help="List the missions in kitty-specs/ with their identity.")
@json_option
def list_cmd(as_json: bool) -> None:
    """List the missions in kitty-specs/ with their canonical identity and run state.

    `run` is null until the mission's run starts (`spec-kitty next` or `mission run`), then
    {status: running|blocked|completed, steps_done, steps_total}.
    """
    from .._project import main_repo_root

    rows = mission_rows(main_repo_root())

    def human() -> None:
        from rich.markup import escape
        from rich.table import Table

        from .._output import console

        out = console()
        if not rows:
            out.print("No missions yet: `spec-kitty mission create <title>` creates one.")
            return
        table = Table(title=f"Missions ({len(rows)})", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("mission", no_wrap=True)
        for column in ("type", "name", "created", "run"):
            table.add_column(column)
        for row in rows:
            run = row["run"]
            colour = {"running": "cyan", "blocked": "red", "completed": "green"}
            state = (
                f"[{colour.get(run['status'], 'white')}]{escape(str(run['status']))}[/] "
                f"{run['steps_done']}/{run['steps_total']}"
                if run
                else "[dim]no run[/]"
            )
            table.add_row(
                str(row["mission_number"]),
                f"[bold]{escape(row['mission_slug'])}[/]",
                escape(row["mission_type"]),
                escape(row["friendly_name"]),
                escape(str(row["created_at"])[:10]),
                state,
            )
        out.print(table)

    success({"missions": rows}, as_json=as_json, human=human)


@mission.command("info", short_help="Show one mission by slug, mission_id or id prefix.")
@click.argument("selector", metavar="<mission>")
@json_option
def info(selector: str, as_json: bool) -> None:
    """Show one mission, selected by slug, mission_id or an unambiguous mission_id prefix."""
    from spec_kitty_identity import resolve_mission

    from .._project import main_repo_root

    row = _identity_row(resolve_mission(main_repo_root(), selector))
    success({"mission": row}, as_json=as_json, human=lambda: _print_identity(row))


@mission.command("current", short_help="Show the mission of $SPEC_KITTY_MISSION or of the branch.")
@json_option
def current(as_json: bool) -> None:
    """Show the current mission: $SPEC_KITTY_MISSION, else the one the branch is named after,
    else the only mission of the project.

    A branch matches a mission when it is the mission slug or starts with `<slug>-`
    (work package branches such as `001-auth-WP01`).
    """
    from .._mission_select import infer_mission
    from .._project import checkout_root, main_repo_root

    ref, source, _ = infer_mission(checkout_root(), main_repo_root())
    row = _identity_row(ref)
    success({"mission": row, "source": source}, as_json=as_json, human=lambda: _print_identity(row))


@mission.command("create", short_help="Create a mission (agent mission create, for people).")
@create_options
def create(title: str, mission_type: str, target_branch: str | None, as_json: bool) -> None:
    """Create a mission from a free-text TITLE (the same as `agent mission create`)."""
    from .._mission_create import create_command

    create_command(title, mission_type, target_branch, as_json)


class _RunCommand(click.Command):
    """Usage errors of `mission run --json` get the run envelope (with `warnings`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args  # read first: the parser consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not wants_json:
                raise
            from .._output import emit_json

            details: dict[str, Any] = {}
            param = getattr(exc, "param", None)
            if isinstance(param, click.Parameter):
                details["param"] = param.get_error_hint(ctx)
            emit_json(
                {
                    "result": "error",
                    "error_code": "USAGE_ERROR",
                    "message": exc.format_message(),
                    "details": details,
                    "warnings": [],
                }
            )
            raise click.exceptions.Exit(EXIT_USAGE) from exc


@mission.command(
    "run",
    cls=_RunCommand,
    short_help="Start (or attach to) a runtime for a custom mission definition.",
)
@click.argument("definition", metavar="<mission-key>")
@click.option(
    "--mission",
    "selector",
    required=True,
    metavar="<mission-slug>",
    help="The mission: slug, mission_id or unambiguous id prefix; a new kebab-case slug "
    "creates the mission under exactly that slug.",
)
@click.option(
    "--json",
    "as_json",
    flag_value=True,
    default=False,
    help="Print one JSON object on stdout instead of a panel.",
)
# The seed contract spells the default `--no-json`: accepted, but not advertised, so `--json`
# reads the same on every command.
@click.option("--no-json", "as_json", flag_value=False, hidden=True)
def run(definition: str, selector: str, as_json: bool) -> int:
    """Start (or attach to) a runtime for a project-authored custom mission definition.

    <mission-key> is the definition's key (mission.key in its mission.yaml), found in the tiers
    explicit, env ($SPEC_KITTY_MISSION_PATHS), project_override (.kittify/overrides/missions),
    project_legacy (.kittify/missions), user_global (~/.kittify/missions), project_config
    (mission_packs in .kittify/config.yaml) and builtin. The CLI never invokes a model: it
    records the run under .kittify/runtime/runs/<run-id>/ and routes its steps.

    Exit codes: 0 started or attached, 2 the definition or the selector is unfit (nothing is
    created), 1 the run could not be recorded (RUN_START_FAILED).
    """
    from .._project import checkout_root
    from ..missions_custom import emit, run_custom_mission

    return emit(run_custom_mission(checkout_root(), definition, selector), as_json=as_json)
