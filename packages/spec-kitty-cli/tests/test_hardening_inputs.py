"""Hostile local input (issue 15): every class gets a structured code and exit 2, never a crash.

Files (meta.json, status lines, WP frontmatter, config.yaml), argv (--policy, --evidence-json,
--actor, --mission, a run slug) and the environment: oversized, deeply nested, not UTF-8,
carrying lone surrogates or repeated keys. Each refusal names the file or the option.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

POLICY = json.dumps(
    {
        "orchestrator_id": "o",
        "orchestrator_version": "1",
        "agent_family": "a",
        "approval_mode": "m",
        "sandbox_mode": "s",
        "network_mode": "n",
        "dangerous_flags": [],
    }
)
NOT_UTF8 = b"\xff\xfe".decode("utf-8", "surrogateescape")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` outside `.git/`, to prove that a refusal changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def refused(result: Any, code: str) -> dict[str, Any]:
    """Assert a structured refusal (exit 2, ``code``, no traceback); return its envelope."""
    assert result.exit_code == 2, result.stdout + result.stderr
    env = result.json()
    assert env["result"] == "error" and env["error_code"] == code, env
    assert "Traceback" not in result.stderr
    return dict(env)


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", "Hostile", "--json", cwd=project).json()
    slug = str(created["mission_slug"])
    tasks = project / "kitty-specs" / slug / "tasks"
    (tasks / "WP01-a.md").write_text("---\nwork_package_id: WP01\ntitle: A\n---\n")
    assert run_cli("agent", "tasks", "finalize", "--mission", slug, "--json").exit_code == 0
    return slug


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (b'{"mission_slug": "\xff"}', "not_utf8"),
        (b" " * (1024 * 1024 + 1), "too_large"),
    ],
    ids=["deep", "not-utf8", "huge"],
)
def test_mission_list_refuses_a_hostile_meta_json(
    project: Path, run_cli: Any, content: bytes, reason: str
) -> None:
    meta = project / "kitty-specs" / "009-bad" / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_bytes(content)
    env = refused(run_cli("mission", "list", "--json", cwd=project), "MISSION_META_INVALID")
    assert env["details"]["file"] == str(meta)
    assert env["details"]["reason"] == reason


def test_a_named_pipe_meta_json_is_refused_without_hanging(project: Path, run_cli: Any) -> None:
    import os

    meta = project / "kitty-specs" / "009-pipe" / "meta.json"
    meta.parent.mkdir(parents=True)
    os.mkfifo(meta)
    env = refused(run_cli("mission", "list", "--json", cwd=project), "MISSION_META_INVALID")
    assert env["details"]["reason"] == "not_a_file"


@pytest.mark.parametrize("terminated", [True, False], ids=["line", "tail"])
def test_status_refuses_a_deep_status_line_naming_it(
    project: Path, run_cli: Any, mission: str, terminated: bool
) -> None:
    log = project / "kitty-specs" / mission / "status.events.jsonl"
    lines = len(log.read_text().splitlines())
    with log.open("a") as handle:
        handle.write("[" * 100_000 + "]" * 100_000 + ("\n" if terminated else ""))
    env = refused(run_cli("status", "--mission", mission, "--json"), "STATUS_LOG_CORRUPT")
    assert env["details"] == {"file": str(log), "line": lines + 1, "reason": "too_deep"}


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--policy", "[" * 10_000 + "]" * 10_000, "too_deep"),
        ("--policy", '{"orchestrator_id": "\\ud800"}', "not_utf8"),
        ("--policy", "x" * (64 * 1024 + 1), "too_large"),
        ("--evidence-json", "{" * 10_000 + "}" * 10_000, "too_deep"),
        ("--evidence-json", '{"\\udc80": 1}', "not_utf8"),
    ],
)
def test_json_options_are_bounded(
    project: Path, run_cli: Any, mission: str, option: str, value: str, reason: str
) -> None:
    before = snapshot(project)
    args = ["orchestrator-api", "transition", "--mission", mission, "--wp", "WP01"]
    args += ["--to", "done", "--actor", "a", "--force", "--note", "n", option, value]
    if option != "--policy":
        args += ["--policy", POLICY]
    result = run_cli(*args)
    assert result.exit_code == 2, result.stdout
    env = result.json()
    assert env["success"] is False and env["data"]["reason"] == reason
    assert snapshot(project) == before


def test_an_actor_that_is_not_utf8_is_refused_naming_the_option(
    project: Path, run_cli: Any, mission: str
) -> None:
    before = snapshot(project)
    args = ("agent", "tasks", "move", "WP01", "--to", "claimed", "--mission", mission)
    env = refused(run_cli(*args, "--actor", NOT_UTF8, "--json"), "ARGUMENT_NOT_UTF8")
    assert env["details"]["param"] == "--actor"
    orch = run_cli(
        "orchestrator-api",
        "start-implementation",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        NOT_UTF8,
        "--policy",
        POLICY,
    )
    assert orch.exit_code == 2
    assert orch.json()["data"]["cause"] == "ARGUMENT_NOT_UTF8"
    assert snapshot(project) == before


def test_an_environment_variable_that_is_not_utf8_is_refused(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPEC_KITTY_MISSION", NOT_UTF8)
    env = refused(run_cli("mission", "current", "--json", cwd=project), "ENVIRONMENT_NOT_UTF8")
    assert env["details"]["env"] == "SPEC_KITTY_MISSION"


def test_an_overlong_actor_is_refused_by_the_host(
    project: Path, run_cli: Any, mission: str
) -> None:
    result = run_cli(
        "orchestrator-api",
        "start-implementation",
        "--mission",
        mission,
        "--wp",
        "WP01",
        "--actor",
        "a" * 300,
        "--policy",
        POLICY,
    )
    assert result.exit_code == 2
    assert result.json()["data"]["reason"] == "too_long"


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--mission", "a" * 5000, "--json"),
        ("mission", "info", "a" * 5000, "--json"),
    ],
)
def test_a_5000_character_selector_is_not_found(project: Path, run_cli: Any, args: Any) -> None:
    env = refused(run_cli(*args, cwd=project), "MISSION_NOT_FOUND")
    assert env["details"]["reason"] == "too_long"


def test_a_300_character_run_slug_is_refused_and_creates_nothing(
    project: Path, run_cli: Any
) -> None:
    before = snapshot(project)
    args = ("mission", "run", "software-dev", "--mission", "a" * 300, "--json")
    result = run_cli(*args, cwd=project)
    env = refused(result, "MISSION_SLUG_INVALID")
    assert env["details"]["reason"] == "too_long"
    assert snapshot(project) == before


def test_duplicate_frontmatter_keys_are_refused_naming_the_key(
    project: Path, run_cli: Any, mission: str
) -> None:
    wp = project / "kitty-specs" / mission / "tasks" / "WP02-b.md"
    wp.write_text("---\nwork_package_id: WP02\ntitle: B\ntitle: C\n---\n")
    env = refused(
        run_cli("agent", "tasks", "finalize", "--mission", mission, "--json"), "WP_FILE_INVALID"
    )
    assert env["details"]["key"] == "title"
    assert env["details"]["reason"] == "duplicate_key"
    assert env["details"]["file"] == str(wp)


def test_duplicate_config_keys_are_refused_naming_the_key(project: Path, run_cli: Any) -> None:
    config = project / ".kittify" / "config.yaml"
    config.write_text(config.read_text() + "project:\n  slug: again\n")
    env = refused(run_cli("identity", "show", "--json", cwd=project), "CONFIG_UNPARSEABLE")
    assert env["details"]["key"] == "project"


@pytest.mark.parametrize(
    ("deps", "detail"),
    [({"WP01": ["WP02"], "WP02": ["WP01"]}, "cycle"), ({"WP01": ["WP09"]}, "unknown")],
)
def test_wp_dependency_cycles_and_unknown_deps_are_refused_wherever_read(
    project: Path, run_cli: Any, deps: dict[str, list[str]], detail: str
) -> None:
    slug = run_cli("agent", "mission", "create", "Graph", "--json", cwd=project).json()[
        "mission_slug"
    ]
    tasks = project / "kitty-specs" / slug / "tasks"
    for wp_id in ("WP01", "WP02"):
        listed = ", ".join(deps.get(wp_id, []))
        (tasks / f"{wp_id}.md").write_text(
            f"---\nwork_package_id: {wp_id}\ndependencies: [{listed}]\n---\n"
        )
    env = refused(
        run_cli("agent", "tasks", "finalize", "--mission", slug, "--json"), "WP_FILE_INVALID"
    )
    assert detail in env["details"]
    refused(run_cli("status", "--mission", slug, "--json"), "WP_FILE_INVALID")
    state = run_cli("orchestrator-api", "mission-state", "--mission", slug)
    assert state.exit_code == 2 and state.json()["data"]["cause"] == "WP_FILE_INVALID"


def test_a_long_dependency_chain_is_no_recursion_problem(project: Path, run_cli: Any) -> None:
    slug = run_cli("agent", "mission", "create", "Chain", "--json", cwd=project).json()[
        "mission_slug"
    ]
    tasks = project / "kitty-specs" / slug / "tasks"
    for n in range(1, 1501):
        dep = f"[WP{n - 1:04d}]" if n > 1 else "[]"
        (tasks / f"WP{n:04d}.md").write_text(
            f"---\nwork_package_id: WP{n:04d}\ndependencies: {dep}\n---\n"
        )
    result = run_cli("status", "--mission", slug, "--json")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("name", ["status.events.jsonl", "tasks/WP02.md"])
def test_a_named_pipe_in_a_mission_never_hangs_a_reader(
    project: Path, run_cli: Any, mission: str, name: str
) -> None:
    import os

    path = project / "kitty-specs" / mission / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    result = run_cli("status", "--mission", mission, "--json")
    assert result.exit_code == 2
    assert result.json()["details"]["reason"] == "not_a_file"


def test_identity_files_that_are_pipes_are_refused(project: Path, run_cli: Any) -> None:
    import os

    build = project / ".kittify" / "state" / "build.json"
    build.unlink()
    os.mkfifo(build)
    refused(run_cli("identity", "show", "--json", cwd=project), "CONFIG_UNPARSEABLE")


def test_titles_branches_and_numbers_are_bounded(project: Path, run_cli: Any) -> None:
    env = refused(
        run_cli("mission", "create", "t" * 501, "--json", cwd=project), "MISSION_SLUG_INVALID"
    )
    assert env["details"]["reason"] == "too_long"
    refused(
        run_cli("mission", "create", "ok", "--target-branch", "b" * 256, "--json", cwd=project),
        "TARGET_BRANCH_INVALID",
    )
    assert not (project / "kitty-specs").exists() or not list((project / "kitty-specs").iterdir())
    meta = project / "kitty-specs" / "001-x" / "meta.json"
    created = run_cli("mission", "create", "x", "--json", cwd=project).json()
    data = json.loads(meta.read_text()) | {"mission_number": 2**63}
    meta.write_text(json.dumps(data))
    env = refused(run_cli("mission", "list", "--json", cwd=project), "MISSION_META_INVALID")
    assert env["details"]["key"] == "mission_number" and created["mission_slug"] == "001-x"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "CONTRACT_INPUT_REJECTED"),
        (b'{"event_id": "\\ud800"}', "CONTRACT_INPUT_REJECTED"),
        (b'{"a": "\xff"}', "CONTRACT_INPUT_REJECTED"),
    ],
)
def test_contract_check_bounds_its_document(
    tmp_path: Path, run_cli: Any, content: bytes, code: str
) -> None:
    doc = tmp_path / "doc.json"
    doc.write_bytes(content)
    refused(run_cli("contract", "check", "--surface", "event", str(doc), "--json"), code)


def test_contract_check_bounds_stdin(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    deep = b"[" * 100_000 + b"]" * 100_000
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(deep)))
    env = refused(
        run_cli("contract", "check", "--surface", "event", "-", "--json"), "CONTRACT_INPUT_REJECTED"
    )
    assert env["details"]["reason"] == "too_deep"


def test_sync_events_refuses_a_hostile_stored_envelope(
    project: Path, run_cli: Any, mission: str
) -> None:
    import sqlite3

    from spec_kitty_cli._events._emit import close_queues

    close_queues()
    db = project / ".kittify" / "state" / "events.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER IF EXISTS event_journal_no_update")
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(
            "UPDATE event_journal SET envelope = ? WHERE seq = 1", ("[" * 100_000 + "]" * 100_000,)
        )
    env = refused(run_cli("sync", "events", "--full", "--json", cwd=project), "EVENT_QUEUE_CORRUPT")
    assert env["details"]["reason"] == "too_deep"
