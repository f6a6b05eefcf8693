"""The click-free `next --json` path answers exactly like the click command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_cli._next_fast import parse, run_fast


@pytest.fixture
def mission(project: Path, run_cli: Any) -> str:
    path = project / ".kittify" / "missions" / "fast" / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "mission: {key: fast, name: Fast, version: '1.0.0'}\n"
        "steps:\n"
        "  - {id: one, title: One, agent_profile: implementer-ivan}\n"
        "  - {id: retrospective, title: Retro, depends_on: [one]}\n",
        encoding="utf-8",
    )
    run_cli("mission", "run", "fast", "--mission", "fast-run", "--json", cwd=project)
    return "fast-run"


def _fast(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int | None, Any]:
    capsys.readouterr()
    code = run_fast(args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--mission", "m"],  # human output: click renders it
        ["--json"],  # missing --mission: click's usage error
        ["--mission", "m", "--json", "--result", "maybe"],
        ["--mission", "m", "--json", "--bogus"],
        ["--mission", "m", "--json", "--agent"],
        ["-h"],
    ],
)
def test_what_click_must_answer_is_left_to_click(args: list[str]) -> None:
    assert parse(args) is None


def test_forms_parse_like_click() -> None:
    assert parse(["--mission=m", "--agent", "a", "--agent=b", "--json", "--step", "s"]) == {
        "json": True,
        "selector": "m",
        "agent": "b",
        "step": "s",
    }


def test_fast_and_click_paths_answer_alike(
    project: Path,
    run_cli: Any,
    mission: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(project)
    first = run_cli("next", "--mission", mission, "--agent", "x", "--json").json()
    code, fast = _fast(capsys, ["--mission", mission, "--agent", "x", "--json"])
    assert code == 0
    slow = run_cli("next", "--mission", mission, "--agent", "x", "--json").json()
    assert fast == slow and fast["step"] == first["step"]
    monkeypatch.setenv("SPEC_KITTY_AGENT", "y")
    code, other = _fast(capsys, ["--mission", mission, "--json"])
    assert (code, other["kind"], other["held_by"]) == (0, "blocked", "x")
    for args in (
        ["--mission", "nope", "--json"],
        ["--mission", mission, "--agent", "z", "--result", "success", "--json"],
        ["--mission", mission, "--agent", "", "--json"],
    ):
        code, fast = _fast(capsys, args)
        res = run_cli("next", *args)
        assert (code, fast) == (res.exit_code, res.json())
    code, done = _fast(
        capsys, ["--mission", mission, "--agent", "x", "--result", "success", "--json"]
    )
    assert (code, done["step"]["id"]) == (0, "retrospective")


def test_unexpected_failure_is_internal_error(
    project: Path,
    mission: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import spec_kitty_cli.runtime._api as api

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.chdir(project)
    monkeypatch.setattr(api, "next_action", boom)
    code, env = _fast(capsys, ["--mission", mission, "--json"])
    assert code == 1 and env["error_code"] == "INTERNAL_ERROR"
    assert "SPEC_KITTY_DEBUG" in env["message"]
    monkeypatch.setenv("SPEC_KITTY_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_fast(["--mission", mission, "--json"])

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "next_action", interrupted)
    assert run_fast(["--mission", mission, "--json"]) == 130


def test_console_entry_takes_the_fast_path(
    project: Path,
    mission: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from spec_kitty_cli.main import main

    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exited:
        main(["next", "--mission", mission, "--agent", "x", "--json"])
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "step"


def test_damaged_identity_cache_is_no_traceback(project: Path, run_cli: Any, mission: str) -> None:
    import os
    import subprocess
    import sys

    from spec_kitty_cli._events import EventQueue, queue_path

    cache = project / ".kittify" / "state" / "identity.cache.json"
    args = [sys.executable, "-m", "spec_kitty_cli", "next", "--mission", mission, "--json"]
    first = subprocess.run(
        [*args, "--agent", "x"], cwd=project, capture_output=True, text=True, env=os.environ
    )
    assert first.returncode == 0, first.stderr
    cache.write_bytes(b"\x00{garbage")
    done = subprocess.run(
        [*args, "--agent", "x", "--result", "success"],
        cwd=project,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    answer = json.loads(done.stdout)
    assert answer["step"]["id"] == "retrospective"
    run_log = Path(answer["run_dir"]) / "run.events.jsonl"
    logged = [json.loads(line) for line in run_log.read_text().splitlines()]
    with EventQueue(queue_path(project)) as queue:
        queued = {e["event_id"]: e for e in queue.iter_envelopes()}
    for line in logged[-2:]:
        assert queued[line["event_id"]] == line
    assert json.loads(cache.read_text())["identity"]["build_id"] == logged[-1]["build_id"]
    # the console entry ends the process without teardown, but after the exit handlers
    marker = project.parent / "atexit-ran"
    probe = (
        "import atexit, sys; from pathlib import Path;"
        f"atexit.register(lambda: Path({str(marker)!r}).write_text('ran'));"
        f"sys.argv = ['spec-kitty', 'next', '--mission', {mission!r}, '--agent', 'x', '--json'];"
        "from spec_kitty_cli.main import main; main(); print('not reached')"
    )
    ended = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, env=os.environ
    )
    assert (ended.returncode, ended.stderr, marker.read_text()) == (0, "", "ran")
    assert json.loads(ended.stdout)["kind"] in ("step", "terminal")
    refused = subprocess.run(
        [*args, "--agent", "y", "--step", "nope", "--result", "success"],
        cwd=project,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert (refused.returncode, refused.stderr) == (2, "")
    assert json.loads(refused.stdout)["result"] == "error"


def test_definition_hash_matches_hashlib() -> None:
    import hashlib

    from spec_kitty_cli.runtime._api import sha256_hex

    for data in (b"", b"mission: {key: k}\n", bytes(range(256)) * 50):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
