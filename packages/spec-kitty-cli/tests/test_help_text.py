"""Every command and option explains itself: help text, the env var behind it, summaries that fit."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from spec_kitty_cli.main import _build_cli

cli = _build_cli()


def walk(group: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(("spec-kitty", *path)), group
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            assert sub is not None, name
            yield from walk(sub, (*path, name))


COMMANDS = list(walk(cli))


def test_the_walk_finds_the_commands() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"spec-kitty status", "spec-kitty agent tasks move", "spec-kitty sync now"} <= names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_described(name: str, command: click.Command) -> None:
    ctx = click.Context(command, info_name=name)
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help text"
            if param.envvar:
                envvars = [param.envvar] if isinstance(param.envvar, str) else param.envvar
                for var in envvars:
                    assert var in param.help or param.show_envvar, (
                        f"{name} {param.opts[0]} reads ${var} but its help does not say so"
                    )
            assert not (param.secondary_opts and "--json" in param.opts), (
                f"{name}: use a plain --json flag, not {param.opts + param.secondary_opts}"
            )


GROUPS = [(name, command) for name, command in COMMANDS if isinstance(command, click.Group)]


@pytest.mark.parametrize(("name", "command"), GROUPS, ids=[n for n, _ in GROUPS])
def test_summaries_are_never_cut(name: str, command: click.Command) -> None:
    from click.testing import CliRunner

    argv = [*name.split()[1:], "--help"]
    shown = CliRunner().invoke(cli, argv, terminal_width=80)
    assert shown.exit_code == 0, shown.output
    assert "Commands:" in shown.output
    listing = shown.output.split("Commands:", 1)[1].splitlines()
    cut = [line for line in listing if line.rstrip().endswith("...")]
    assert not cut, f"{name} --help cuts summaries: {cut}"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help or command.short_help, f"{name} has no help"


def test_shell_completion_completes_commands() -> None:
    import os
    import subprocess
    import sys

    env = {
        "_SPEC_KITTY_COMPLETE": "bash_complete",
        "COMP_WORDS": "spec-kitty sta",
        "COMP_CWORD": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "plain,status" in done.stdout.split()


def test_mission_run_still_accepts_the_contracts_no_json(tmp_path: Path, run_cli: Any) -> None:
    res = run_cli("mission", "run", "erp", "--mission", "x", "--no-json", "--json", cwd=tmp_path)
    assert res.json()["error_code"] != "USAGE_ERROR"


def test_move_names_every_lane_it_accepts() -> None:
    from spec_kitty_identity import LANES

    move = dict(COMMANDS)["spec-kitty agent tasks move"]
    to = next(p for p in move.params if p.name == "to_lane")
    assert isinstance(to, click.Option) and to.help
    assert [lane for lane in LANES if lane in to.help] == list(LANES)


def test_finalize_help_shows_a_work_package_file_it_accepts(project: Path, run_cli: Any) -> None:
    """The example in `finalize --help` is a file finalize takes as it is."""
    finalize = dict(COMMANDS)["spec-kitty agent tasks finalize"]
    assert finalize.help
    example = inspect.cleandoc(finalize.help).split("\b\n", 1)[1]
    body = "\n".join(line[4:] for line in example.splitlines())
    created = run_cli("agent", "mission", "create", "Help", "--json", cwd=project).json()
    tasks = Path(created["mission_dir"]) / "tasks"
    (tasks / "WP01-cart.md").write_text("---\nwork_package_id: WP01\ntitle: Cart\n---\n")
    (tasks / "WP02-payment.md").write_text(body + "\n", encoding="utf-8")
    done = run_cli("agent", "tasks", "finalize", "--mission", created["mission_slug"], "--json")
    assert done.exit_code == 0, done.stdout
    assert sorted(done.json()["seeded"]) == ["WP01", "WP02"]


@pytest.mark.parametrize(
    ("argv", "suggested"),
    [
        (("stauts",), "'status'"),
        (("agent", "taks"), "'tasks'"),
        (("sync", "nwo"), "'now'"),
        (("mission", "lst"), "'list'"),
    ],
)
def test_an_unknown_command_suggests_the_nearest(
    run_cli: Any, argv: tuple[str, ...], suggested: str
) -> None:
    result = run_cli(*argv)
    assert result.exit_code == 2
    assert f"No such command {argv[-1]!r}. Did you mean" in result.stderr
    assert suggested in result.stderr
    assert "Did you mean" not in run_cli("zzzzzz").stderr
