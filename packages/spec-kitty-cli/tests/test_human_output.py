"""Human output reads like text for people: never a Python repr, lists and details as lines.

Every command below runs without --json, successes and refusals alike, and its stdout and stderr
are scanned for the marks a Python repr leaves: quoted list items, dict braces, True/False/None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_cli._output import human_lines, inline

REPR = re.compile(
    r"\['|'\]|\{'|\{\}|\[\]|\bTrue\b|\bFalse\b|\bNone\b|<[\w.]+ object at 0x|\bdict\(|\bPosixPath\("
)


def assert_readable(text: str) -> None:
    found = REPR.findall(text)
    assert not found, f"Python repr in human output ({found}):\n{text}"


def test_the_scan_catches_what_a_repr_looks_like() -> None:
    for leaked in (str({"a": 1}), str(["WP04"]), "force: False", "branch None", "empty {}"):
        with pytest.raises(AssertionError):
            assert_readable(leaked)


def test_details_render_as_lines() -> None:
    lines = human_lines({"force": False, "unknown": ["WP04", "WP05"], "none": None, "n": {}})
    assert lines == ["force: no", "unknown: WP04, WP05", "none: none", "n: none"]
    nested = human_lines({"events": {"sent": 3, "by_state": {"pending": 1}}})
    assert nested == ["events:", "  sent: 3", "  by_state:", "    pending: 1"]
    assert inline(list(range(20))).endswith("… 8 more")
    deep = human_lines({"a": {"b": {"c": {"d": [1, 2]}}}})
    assert deep[-1].strip() == "(1 entries; see --json)"


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Docs site", "--json", cwd=project).json()
    tasks = project / "kitty-specs" / created["mission_slug"] / "tasks"
    (tasks / "WP01-setup.md").write_text("---\nwork_package_id: WP01\ntitle: Setup\n---\nSet up.\n")
    (tasks / "WP02-pages.md").write_text(
        "---\nwork_package_id: WP02\ntitle: Pages\ndependencies: [WP01]\n---\n"
    )
    assert (
        run_cli("agent", "tasks", "finalize", "--mission", created["mission_slug"]).exit_code == 0
    )
    return str(created["mission_slug"])


COMMANDS: list[tuple[str, ...]] = [
    ("status", "--mission", "{m}"),
    ("status", "--mission", "no-such-mission"),
    ("mission", "list"),
    ("mission", "info", "{m}"),
    ("mission", "info", "no-such-mission"),
    ("mission", "current"),
    ("agent", "tasks", "move", "WP02", "--mission", "{m}", "--to", "done"),
    ("agent", "tasks", "move", "WP09", "--mission", "{m}", "--to", "claimed"),
    ("agent", "tasks", "move", "WP01", "--mission", "{m}", "--to", "claimed", "--force"),
    ("sync", "status"),
    ("sync", "events", "--limit", "2"),
    ("identity", "show"),
    ("contract", "info"),
    ("upgrade", "--dry-run"),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_no_python_repr_in_human_output(
    run_cli: Callable[..., Any], project: Path, mission: str, argv: tuple[str, ...]
) -> None:
    result = run_cli(*(a.replace("{m}", mission) for a in argv), cwd=project)
    assert result.exit_code in (0, 2), result.stderr
    assert_readable(result.stdout + result.stderr)


def test_a_refused_move_lists_the_reachable_lanes_and_their_guards(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    refused = run_cli(
        "agent", "tasks", "move", "WP01", "--mission", mission, "--to", "done", "--json"
    )
    assert refused.exit_code == 2
    details = refused.json()["details"]
    assert details["reachable"] == ["claimed", "blocked", "canceled"]
    human = run_cli("agent", "tasks", "move", "WP01", "--mission", mission, "--to", "done")
    assert "can move to: claimed, blocked, canceled" in human.stderr
    for lane in ("claimed", "in_progress"):
        assert (
            run_cli("agent", "tasks", "move", "WP01", "--mission", mission, "--to", lane).exit_code
            == 0
        )
    back = run_cli(
        "agent", "tasks", "move", "WP01", "--mission", mission, "--to", "claimed", "--json"
    )
    assert back.json()["details"]["guards"] == {"planned": "a reason (--note)"}
    assert "planned (needs a reason (--note))" in back.json()["message"]


def test_tables_have_headers_and_say_what_they_omit(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    listed = run_cli("mission", "list", cwd=project).stdout
    header = next(line for line in listed.splitlines() if "mission" in line and "type" in line)
    assert "#" in header and "name" in header
    assert mission in listed  # the slug whole, never cut
    run_cli("agent", "tasks", "move", "WP01", "--mission", mission, "--to", "claimed")
    shown = run_cli("sync", "events", "--limit", "2", cwd=project).stdout
    total = run_cli("sync", "events", "--limit", "0", "--json", cwd=project).json()["count"]
    assert f"2 of {total}" in shown and total > 2
    newest = run_cli("sync", "events", "--limit", "1", cwd=project).stdout
    assert "planned → claimed" in newest  # (long dossier event types would wrap a wider table)
    full = run_cli("sync", "events", "--limit", "1", "--full", cwd=project).stdout
    assert '"event_type": "WPStatusChanged"' in full  # --full is honoured for people too


def test_the_board_shows_dependencies_and_block_reasons(
    run_cli: Callable[..., Any], project: Path, mission: str
) -> None:
    moved = run_cli(
        "agent",
        "tasks",
        "move",
        "WP02",
        "--mission",
        mission,
        "--to",
        "blocked",
        "--note",
        "waiting for the design review",
    )
    assert moved.exit_code == 0, moved.stderr
    board = run_cli("status", "--mission", mission, cwd=project).stdout
    assert "needs WP01 ✗" in board
    assert "waiting for the design review" in board


def test_empty_states_say_what_to_do_next(run_cli: Callable[..., Any], project: Path) -> None:
    assert "spec-kitty mission create" in run_cli("mission", "list", cwd=project).stdout
    assert "No events" in run_cli("sync", "events", cwd=project).stdout
    slug = run_cli("mission", "create", "Empty one", "--json", cwd=project).json()["mission_slug"]
    board = run_cli("status", "--mission", slug, cwd=project).stdout
    assert f"spec-kitty agent tasks finalize --mission {slug}" in board


def test_init_outside_git_says_so_and_names_the_next_step(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "plain"
    done = run_cli("init", str(folder))
    assert done.exit_code == 0
    assert "not in a git repository" in done.stdout and "git init" in done.stdout


def test_mission_create_names_next_commands_that_work_as_written(
    run_cli: Callable[..., Any], project: Path
) -> None:
    created = run_cli("agent", "mission", "create", "Next steps", cwd=project)
    assert created.exit_code == 0
    assert_readable(created.stdout)
    line = next(x for x in created.stdout.splitlines() if x.startswith("Next:"))
    commands = re.findall(r"`spec-kitty ([^`]+)`", line)
    assert [c.split()[0] for c in commands] == ["next", "agent"]
    step = run_cli(*commands[0].split(), "--json", cwd=project)
    assert step.exit_code == 0, step.stdout
    assert step.json()["kind"] == "step"
