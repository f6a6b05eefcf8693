"""The click-free `orchestrator-api` fast path answers exactly what the click path answers.

Every argv vector runs twice: through ``_orchestrator_fast_path.run_fast`` (what `main()` tries first) and
through ``main.run`` (the click application). Exit codes and envelopes must be identical once the
per-call timestamp and correlation_id are removed. Old feature-era names appear here only to
prove both paths reject them the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_cli._orchestrator_fast_path import run_fast
from spec_kitty_cli.main import main, run

POLICY = json.dumps(
    {
        "orchestrator_id": "spec-kitty-orchestrator",
        "orchestrator_version": "0.1.2",
        "agent_family": "claude",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
    }
)
M = "{mission}"  # replaced by the mission's slug
T = ["transition", "--mission", M, "--wp", "WP01", "--to", "blocked", "--actor", "a"]

READ_ONLY_AND_USAGE = [
    # valid read-only calls
    ["contract-version"],
    ["contract-version", "--provider-version", "0.1.2"],
    ["contract-version", "--provider-version=0.0.1"],
    ["mission-state", "--mission", M],
    ["mission-state", f"--mission={M}"],
    ["list-ready", "--mission", M],
    ["mission-state", "--mission", "nope", "--mission", M],  # the last occurrence wins
    ["mission-state", "--mission", "--wp"],  # a value option takes the next argument
    ["mission-state", "--mission="],
    ["mission-state", "--mission", "0"],
    ["list-ready", "--mission", "m\u00efssion-x"],
    # the group level
    [],
    [""],
    ["x"],
    ["mission-stat"],
    ["resolve-workspace", "--mission", M, "--wp", "WP01"],
    ["--mission", M],
    ["--mission=x"],
    ["--hel"],
    ["--=x"],
    # old names and the old flag: unknown, never aliased
    ["feature-state", "--mission", M],
    ["accept-feature", "--mission", M, "--actor", "a"],
    ["merge-feature", "--mission", M],
    ["mission-state", "--feature", M],
    ["list-ready", "--feature", M],
    ["transition", "--feature", M],
    # option problems
    ["mission-state"],
    ["mission-state", "--mission"],
    ["mission-state", "--mission", M, "--mission"],
    ["mission-state", "--mision", M],
    ["contract-version", "--provider-version"],
    ["contract-version", "--mission", M],
    ["accept-mission", "--mission", M, "--actor", "a", "--policy", "{}"],
    ["transition", "--mission", M],
    ["transition", "--wp", "WP01", "--mission", M, "--to", "blocked"],
    ["start-implementation", "--mission", M, "--wp", "WP01"],
    ["append-history", "--mission", M, "--wp", "WP01", "--actor", "a"],
    [*T, "--force=1"],
    [*T, "--subtasks-complete=yes"],
    [*T, "--no-implementation-evidence-present="],
    [*T, "--forc"],
    [*T, "--review"],
    [*T, "--note"],
    ["merge-mission", "--mission", M, "--push=x"],
    # extra arguments (after the missing-option check, like click)
    ["mission-state", "--mission", M, "extra"],
    ["mission-state", "--mission", M, "a", "b"],
    ["mission-state", "extra"],
    ["mission-state", "-"],
    ["mission-state", "+x", "--mission", M],
    ["contract-version", "x"],
]

LEFT_TO_CLICK = [
    ["--help"],
    ["-h"],
    ["mission-state", "--help"],
    ["transition", "-h"],
    ["mission-state", "--help=x"],
    ["mission-state", "-x"],
    ["-x"],
    ["--", "mission-state", "--mission", M],
    ["mission-state", "--mission", M, "--"],
]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _project(base: Path) -> tuple[Path, str]:
    """A real git project with one mission of three work packages (WP03 needs WP01 and WP02)."""
    root = base / "project"
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@spec-kitty.invalid")
    git(root, "config", "user.name", "spec-kitty test")
    with contextlib.redirect_stdout(io.StringIO()):
        assert run(["init", str(root), "--json"]) == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()) as out:
        assert run(["agent", "mission", "create", "Text pipeline", "--json"]) == 0
    slug = str(json.loads(out.getvalue())["mission_slug"])
    tasks = root / "kitty-specs" / slug / "tasks"
    for wp, deps in (("WP01", ""), ("WP02", ""), ("WP03", "WP01, WP02")):
        (tasks / f"{wp}-part.md").write_text(
            f"---\nwork_package_id: {wp}\ntitle: Part {wp}\ndependencies: [{deps}]\n---\nDo {wp}.\n"
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "mission")
    return root, slug


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One project for every read-only vector (nothing here writes to it)."""
    base = tmp_path_factory.mktemp("orch-fast")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(base))
        mp.setenv("SPEC_KITTY_HOME", str(base / "state"))
        mp.delenv("SPECIFY_REPO_ROOT", raising=False)
        yield _project(base)


def _call(front: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, ...]:
    capsys.readouterr()
    code = run_fast(argv) if front == "fast" else run(["orchestrator-api", *argv])
    out, err = capsys.readouterr()
    envelopes = [json.loads(line) for line in out.splitlines()]
    for envelope in envelopes:
        envelope.pop("timestamp")
        envelope.pop("correlation_id")
    return code, envelopes, err


def _fill(argv: list[str], slug: str) -> list[str]:
    return [arg.replace(M, slug) for arg in argv]


@pytest.mark.parametrize("argv", READ_ONLY_AND_USAGE, ids=lambda v: " ".join(v) or "(none)")
def test_fast_path_answers_like_click(
    argv: list[str],
    shared: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, slug = shared
    monkeypatch.chdir(root)
    argv = _fill(argv, slug)
    fast = _call("fast", argv, capsys)
    assert fast[0] is not None, "the fast path answered this itself"
    assert len(fast[1]) == 1, "exactly one JSON object on stdout"
    assert fast == _call("click", argv, capsys)
    envelope = fast[1][0]
    if envelope["command"] == "orchestrator-api.unknown":
        assert fast[0] == 2 and envelope["error_code"] == "USAGE_ERROR"
    assert not (root / "kitty-specs" / slug / "status.json").exists()


@pytest.mark.parametrize("argv", LEFT_TO_CLICK, ids=" ".join)
def test_help_and_rare_syntax_are_left_to_click(
    argv: list[str],
    shared: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, slug = shared
    monkeypatch.chdir(root)
    argv = _fill(argv, slug)
    capsys.readouterr()
    assert run_fast(argv) is None
    assert capsys.readouterr() == ("", "")
    with pytest.raises(SystemExit) as stop:  # main() hands it to click
        main(["orchestrator-api", *argv])
    expected = run(["orchestrator-api", *argv])
    assert stop.value.code == expected


def test_main_takes_the_fast_path_and_help_still_works(
    shared: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, slug = shared
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as stop:
        main(["orchestrator-api", "list-ready", "--mission", slug])
    assert stop.value.code == 0
    ready = json.loads(capsys.readouterr().out)["data"]["ready_work_packages"]
    assert [wp["wp_id"] for wp in ready] == ["WP01", "WP02"]
    with pytest.raises(SystemExit) as stop:
        main(["orchestrator-api", "transition", "--help"])
    text = capsys.readouterr().out
    assert stop.value.code == 0 and "--subtasks-complete / --no-subtasks-complete" in text
    assert "Move a work package to another lane." in text


NO_EVIDENCE = "--no-implementation-evidence-present"


def _move(wp: str, lane: str, *extra: str) -> list[str]:
    return ["transition", "--mission", M, "--wp", wp, "--to", lane, "--actor", "o", *extra]


WRITES = [
    ["start-implementation", "--mission", M, "--wp", "WP01", "--actor", "o", "--policy", POLICY],
    _move("WP01", "for_review", "--policy", POLICY, "--subtasks-complete", NO_EVIDENCE),
    [
        *["transition", f"--mission={M}", "--wp=WP01", "--to=for_review", "--actor=o"],
        *[f"--policy={POLICY}", "--no-subtasks-complete", "--subtasks-complete"],
        "--implementation-evidence-present",
    ],
    [
        *["start-review", "--mission", M, "--wp", "WP01", "--actor", "o", "--policy", POLICY],
        *["--review-ref", "feedback-1"],
    ],
    ["append-history", "--mission", M, "--wp", "WP01", "--actor", "o", "--note", "cycle 1"],
    _move(
        "WP01",
        "done",
        "--force",
        "--note",
        "skip review",
        "--review-ref",
        "r-2",
        "--evidence-json",
        "{}",
    ),
    ["accept-mission", "--mission", M, "--actor", "o"],
    _move("WP02", "blocked", "--note", "waiting"),
    _move("WP02", "done", "--force", "--note", "done elsewhere"),
    _move("WP03", "done", "--force", "--note", "done elsewhere"),
    ["accept-mission", "--mission", M, "--actor", "o"],
    ["merge-mission", "--mission", M, "--target", "main", "--strategy", "squash", "--push"],
]


def _normalized(text: str, root: Path) -> str:
    text = text.replace(str(root), "<root>")
    text = re.sub(r"\b[0-9a-f]{40}\b", "<sha>", text)
    text = re.sub(r"hist-[0-9a-f]{32}", "hist-<id>", text)
    text = re.sub(r"\b[0-9A-HJKMNP-TV-Z]{26}\b", "<ulid>", text)
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00|Z)", "<time>", text)


def test_writes_give_the_same_answers_and_the_same_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two identical copies of one project: the same write sequence through each front end."""
    seed, slug = _project(tmp_path / "seed")
    roots = {front: tmp_path / front / "project" for front in ("fast", "click")}
    answers: dict[str, list[str]] = {}
    for front, root in roots.items():
        shutil.copytree(seed, root, symlinks=True)
        monkeypatch.chdir(root)
        answers[front] = [
            _normalized(json.dumps(_call(front, _fill(argv, slug), capsys)), root)
            for argv in WRITES
        ]
    assert answers["fast"] == answers["click"]
    outcomes = [json.loads(answer)[1][0]["success"] for answer in answers["fast"]]
    assert outcomes == [True, False, True, True, True, True, False, True, True, True, True, False]
    assert "pushing the target branch failed" in answers["fast"][-1]  # --push arrived
    for name in ("status.events.jsonl", "status.json", "meta.json"):
        fast, click = (root / "kitty-specs" / slug / name for root in roots.values())
        assert _normalized(fast.read_text(), roots["fast"]) == _normalized(
            click.read_text(), roots["click"]
        )
    log = (roots["fast"] / "kitty-specs" / slug / "status.events.jsonl").read_text()
    assert '"reason":"skip review"' in log and '"review_ref":"r-2"' in log


def test_ctrl_c_is_answered_like_click(
    shared: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import spec_kitty_identity

    def interrupt(start: Path | None = None) -> Path:
        raise KeyboardInterrupt

    root, slug = shared
    monkeypatch.chdir(root)
    monkeypatch.setattr(spec_kitty_identity, "find_main_repo_root", interrupt)
    argv = ["mission-state", "--mission", slug]
    assert _call("fast", argv, capsys) == _call("click", argv, capsys)
    assert _call("fast", argv, capsys)[0] == 130


def test_read_only_fast_path_imports_no_click_rich_yaml_or_filelock(
    shared: tuple[Path, str],
) -> None:
    """...and leaves nothing for the interpreter's teardown: no atexit handler, no open file."""
    root, slug = shared
    probe = (
        "import atexit, os, sys\n"
        "fds = set(os.listdir('/proc/self/fd'))\n"
        "from spec_kitty_cli.main import main\n"
        "try:\n"
        "    main(['orchestrator-api', *sys.argv[1:]])\n"
        "except SystemExit as stop:\n"
        "    heavy = ('click', 'rich', 'yaml', 'filelock', 'httpx', 'pydantic', 'sqlite3')\n"
        "    found = sorted(m for m in heavy if m in sys.modules)\n"
        "    opened = sorted(set(os.listdir('/proc/self/fd')) - fds)\n"
        "    sys.stderr.write(f'{stop.code} {found} {atexit._ncallbacks()} {opened}')\n"
    )
    for argv in (["contract-version"], ["mission-state", "--mission", slug], ["list-ready"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv], cwd=root, capture_output=True, text=True
        )
        code = "2" if argv == ["list-ready"] else "0"  # a usage error stays click-free too
        assert done.stderr == f"{code} [] 0 []"
        assert json.loads(done.stdout)["success"] is (code == "0")


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["mission-state", "--mission", M], 0),
        (["list-ready", "--mission", "nope"], 2),
        (["list-ready", "--mision", M], 2),
        (["append-history", "--mission", M, "--wp", "WP01", "--actor", "o", "--note", "n"], 0),
    ],
)
def test_the_console_entry_point_answers_one_envelope(
    argv: list[str], code: int, tmp_path: Path
) -> None:
    """`python -m spec_kitty_cli`: read-only calls end right after the flushed answer."""
    root, slug = _project(tmp_path)
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    before = log.read_bytes()  # mission create recorded MissionCreated there
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", "orchestrator-api", *_fill(argv, slug)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == code and done.stderr == ""
    [line] = done.stdout.splitlines()
    assert json.loads(line)["success"] is (code == 0)
    assert (log.read_bytes() != before) is (argv[0] == "append-history")


def test_a_refused_envelope_is_replaced_and_debug_shows_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from spec_kitty_cli._orchestrator_commands import emit
    from spec_kitty_orchestrator_api import Response, make_envelope

    monkeypatch.setenv("SPEC_KITTY_DEBUG", "1")
    bad = make_envelope("list-ready", success=True, data={"mission_slug": "x", "feature_slug": "x"})
    assert emit(Response(envelope=bad, exit_code=0)) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["data"]["cause"] == "CONTRACT_LEGACY_SURFACE"
    assert "CONTRACT_GATE_REFUSED" in err and "Traceback" in err
