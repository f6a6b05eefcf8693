"""`spec-kitty next [--mission M] [--agent NAME] [--result R] [--step ID] [--json]`.

Decides the next action of the mission's run: a step to do, a decision to ask, blocked, or
terminal. The console script answers the plain forms of this command without importing click
(``_next_fast``); `--help` and anything unusual come here.
"""

from __future__ import annotations

from typing import Any

import click

from .._mission_select import mission_option, select_mission
from .._output import json_option, success

AGENT_ENV = "SPEC_KITTY_AGENT"
DEFAULT_AGENT = "agent"
RESULTS = ("success", "failed", "blocked")


def run_next(selector: str, agent: str, result: str | None, step: str | None) -> dict[str, Any]:
    from .._project import checkout_root, main_repo_root
    from ..runtime import next_action

    data: dict[str, Any] = next_action(
        checkout_root(), main_repo_root(), selector, agent=agent, result=result, step_id=step
    )
    return data


def render(data: dict[str, Any]) -> None:
    """The human view of a `next` answer."""
    from rich.markup import escape

    from .._output import console

    out = console()
    kind = data["kind"]
    head = f"[dim]{escape(data['mission_slug'])} · run {data['run_id'][:8]}[/]"
    if kind == "step":
        step = data["step"]
        out.print(
            f"[bold green]Step[/] [bold]{escape(step['id'])}[/]: {escape(step['title'])}  {head}"
        )
        for key in ("description", "prompt", "prompt_template", "expected_output", "agent_profile"):
            if step.get(key):
                out.print(f"  {key}: {escape(str(step[key]))}")
        if step.get("contract"):
            out.print(f"  contract: {escape(str(step['contract'].get('id')))}")
        for key, answer in data["decisions"].items():
            out.print(f"  decision {escape(key)}: {escape(answer)}")
        out.print(
            f"When done: [bold]spec-kitty next --mission {escape(data['mission_slug'])} "
            f"--agent {escape(data['agent'])} --result success[/] (or failed / blocked)"
        )
    elif kind == "decision_required":
        out.print(
            f"[bold yellow]Decision required[/] [bold]{escape(data['decision_id'])}[/]  {head}"
        )
        out.print(f"  {escape(data['question'])}")
        if data["options"]:
            out.print(f"  options: {escape(', '.join(data['options']))}")
        out.print(
            f"Answer: [bold]spec-kitty agent decision resolve {escape(data['decision_id'])} "
            f"--mission {escape(data['mission_slug'])} --final-answer TEXT[/]"
        )
    elif kind == "blocked":
        out.print(f"[bold red]Blocked[/]  {head}\n  {escape(str(data['reason']))}")
    else:
        out.print(f"[bold green]Run complete[/]  {head}: every step is done.")
    err = console(stderr=True)
    for warning in data.get("warnings", []):
        err.print(f"[yellow]warning {escape(warning['code'])}:[/] {escape(warning['message'])}")


@click.command("next")
@mission_option
@click.option(
    "--agent",
    default=DEFAULT_AGENT,
    envvar=AGENT_ENV,
    show_default=True,
    metavar="NAME",
    help=f"Who asks: the step is issued to and held by this agent (env: ${AGENT_ENV}).",
)
@click.option(
    "--result",
    type=click.Choice(RESULTS),
    default=None,
    help="First record the result of the step this agent holds: success completes it; "
    "failed or blocked blocks the run until the step is re-run and reported as success.",
)
@click.option(
    "--step",
    default=None,
    metavar="STEP_ID",
    help="With --result: the step the result is for; a retried report of a step already "
    "recorded is then answered without recording it twice.",
)
@json_option
def next_cmd(
    mission: str | None, agent: str, result: str | None, step: str | None, as_json: bool
) -> None:
    """Decide the next action of the mission's run: a step, a decision, blocked or terminal.

    \b
    Answers (`kind`):
      step               the step to do now, with its prompt, its agent profile or step
                         contract, the decisions answered so far and the dependencies done
      decision_required  a question to answer with `spec-kitty agent decision resolve`
      blocked            the reason (a failed step, or a step another agent holds)
      terminal           every step is done; the run is complete

    Steps are issued one at a time in dependency order; calling again without --result
    returns the step this agent already holds. A mission of a built-in type (software-dev,
    research, documentation, plan) starts its run on the first call; a custom mission is
    started with `spec-kitty mission run`. Plans come from the definition frozen in the run
    folder; a changed live file only adds a warning.
    """
    data = run_next(select_mission(mission).slug, agent, result, step)
    success(data, as_json=as_json, human=lambda: render(data))
