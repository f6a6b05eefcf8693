"""`spec-kitty agent decision list|resolve`: the decisions a mission's run asks for."""

from __future__ import annotations

from typing import Any

import click

from .._lazy import SpecKittyGroup
from .._mission_select import mission_option, select_mission
from .._output import json_option, success

ACTOR_ENV = "SPEC_KITTY_ACTOR"


@click.group("decision", cls=SpecKittyGroup)
def decision() -> None:
    """List and answer the decisions a mission's run asks for (steps with requires_inputs)."""


def _roots() -> tuple[Any, Any]:
    from .._project import checkout_root, main_repo_root

    return checkout_root(), main_repo_root()


@decision.command("list", short_help="List the open and answered decisions of a run.")
@mission_option
@json_option
def list_cmd(mission: str | None, as_json: bool) -> None:
    """List the open and answered decisions of the mission's run (read-only)."""
    from ..runtime import list_decisions

    data = list_decisions(*_roots(), select_mission(mission).slug)

    def human() -> None:
        from rich.markup import escape
        from rich.table import Table

        from .._output import console

        out = console()
        if not data["open"] and not data["answered"]:
            out.print("No decisions yet: `spec-kitty next` raises one when a step needs input.")
            return
        table = Table(title=f"Decisions of {escape(data['mission_slug'])}")
        for column in ("decision_id", "step", "state", "question / answer"):
            table.add_column(column)
        for item in data["open"]:
            table.add_row(
                escape(item["decision_id"]),
                escape(item["step_id"]),
                "[yellow]open[/]",
                escape(item["question"]),
            )
        for item in data["answered"]:
            table.add_row(
                escape(item["decision_id"]),
                escape(item["step_id"]),
                "[green]answered[/]",
                escape(item["answer"]),
            )
        out.print(table)
        if data["open"]:
            first = data["open"][0]["decision_id"]
            out.print(
                f"Answer: spec-kitty agent decision resolve {escape(first)} "
                f"--mission {escape(data['mission_slug'])} --final-answer TEXT"
            )

    success(data, as_json=as_json, human=human)


@decision.command("resolve", short_help="Answer an open decision of a run.")
@click.argument("decision_id")
@mission_option
@click.option(
    "--final-answer",
    "answer",
    required=True,
    metavar="TEXT",
    help="The answer; the step that asked receives it.",
)
@click.option(
    "--actor",
    default="operator",
    envvar=ACTOR_ENV,
    show_default=True,
    help=f"Who answers (env: ${ACTOR_ENV}).",
)
@json_option
def resolve_cmd(
    decision_id: str, mission: str | None, answer: str, actor: str, as_json: bool
) -> None:
    """Answer the open decision DECISION_ID; the step waiting for it can then be issued.

    Answering again with the same text changes nothing; a different answer is refused.
    """
    from ..runtime import resolve_decision

    data = resolve_decision(
        *_roots(), select_mission(mission).slug, decision_id, answer=answer, by=actor
    )

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        verb = "Answered" if data["recorded"] else "Already answered"
        console().print(
            f"[green]{verb}[/] {escape(decision_id)}: {escape(data['answer'])}\n"
            f"Next: spec-kitty next --mission {escape(data['mission_slug'])}"
        )

    success(data, as_json=as_json, human=human)
