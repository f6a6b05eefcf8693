"""The CLI frame: entry point, error boundary, exit codes, init, identity show, mission create."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spec_kitty_cli import CliError, __version__
from spec_kitty_cli.main import main, run


def test_version_fast_path_avoids_click(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"spec-kitty {__version__}\n"
    code = "import sys; from spec_kitty_cli.main import main\ntry:\n main(['--version'])\nexcept SystemExit: pass\nprint('click' in sys.modules, 'importlib.metadata' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("False False")


def test_version_matches_distribution() -> None:
    from importlib.metadata import version

    assert __version__ == version("spec-kitty-cli")


def test_help_lists_every_registered_command(run_cli) -> None:
    from spec_kitty_cli._registry import COMMANDS

    res = run_cli("--help")
    assert res.exit_code == 0
    for name, (_, _, help_text) in COMMANDS.items():
        assert name in res.stdout
        assert help_text.split()[0] in res.stdout


def test_unknown_command_human_and_json(run_cli) -> None:
    res = run_cli("no-such-command")
    assert res.exit_code == 2
    assert "No such command" in res.stderr
    res = run_cli("no-such-command", "--json")
    assert res.exit_code == 2
    body = res.json()
    assert body["result"] == "error" and body["error_code"] == "USAGE_ERROR"


def test_missing_argument_in_json_mode(run_cli, project: Path) -> None:
    res = run_cli("agent", "mission", "create", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "USAGE_ERROR"
    assert "Traceback" not in res.stderr


def test_structured_error_rendering(run_cli, tmp_path: Path) -> None:
    res = run_cli("identity", "show", "--json", cwd=tmp_path)
    assert res.exit_code == 2
    body = res.json()
    assert body == {
        "result": "error",
        "error_code": "PROJECT_ROOT_NOT_FOUND",
        "message": body["message"],
        "details": {"path": str(tmp_path.resolve()), "hint": "spec-kitty init"},
    }
    human = run_cli("identity", "show", cwd=tmp_path)
    assert human.exit_code == 2
    assert "PROJECT_ROOT_NOT_FOUND" in human.stderr and human.stdout == ""


def test_internal_error_is_wrapped_and_debug_reraises(
    run_cli, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    import spec_kitty_identity

    def boom(_: Path) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(spec_kitty_identity, "load_project_identity", boom)
    res = run_cli("identity", "show", "--json", cwd=project)
    assert res.exit_code == 1
    assert res.json()["error_code"] == "INTERNAL_ERROR"
    assert "SPEC_KITTY_DEBUG" in res.json()["message"]
    monkeypatch.setenv("SPEC_KITTY_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run(["identity", "show"])


def test_infrastructure_cli_error_exits_1(
    run_cli, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    import spec_kitty_identity

    def infra(_: Path) -> None:
        raise CliError("DISK_FULL", "no space", details={"free": 0}, operator_fixable=False)

    monkeypatch.setattr(spec_kitty_identity, "load_project_identity", infra)
    res = run_cli("identity", "show", "--json", cwd=project)
    assert (res.exit_code, res.json()["error_code"], res.json()["details"]) == (
        1,
        "DISK_FULL",
        {"free": 0},
    )


def test_keyboard_interrupt_and_abort(
    run_cli, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    import click

    import spec_kitty_identity

    def interrupt(_: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(spec_kitty_identity, "load_project_identity", interrupt)
    assert run_cli("identity", "show", cwd=project).exit_code == 130

    def abort(_: Path) -> None:
        raise click.Abort

    monkeypatch.setattr(spec_kitty_identity, "load_project_identity", abort)
    assert run_cli("identity", "show", cwd=project).exit_code == 1


def test_init_twice_keeps_identity_and_gitignore(run_cli, tmp_path: Path) -> None:
    root = tmp_path / "p"
    first = run_cli("init", str(root), "--json").json()
    second = run_cli("init", str(root), "--json").json()
    assert first["project"] == second["project"] and first["build"] == second["build"]
    assert second["gitignore_added"] == []
    ignore = (root / ".gitignore").read_text()
    assert ".kittify/state/" in ignore and ".worktrees/" in ignore
    human = run_cli("init", str(root))
    assert "spec-kitty project ready" in human.stdout


def test_identity_show_human_and_json(run_cli, project: Path) -> None:
    data = run_cli("identity", "show", "--json", cwd=project).json()
    assert set(data) == {"result", "checkout_root", "project", "build", "node"}
    assert data["build"]["id"] != data["node"]["id"]
    human = run_cli("identity", "show", cwd=project).stdout
    assert data["build"]["id"] in human and data["project"]["uuid"] in human
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
        ).stdout
        == ""
    )


def test_create_human_and_numbering(run_cli, project: Path) -> None:
    out = run_cli("agent", "mission", "create", "First one", cwd=project)
    assert out.exit_code == 0 and "001-first-one" in out.stdout
    second = run_cli(
        "agent",
        "mission",
        "create",
        "Second",
        "--mission-type",
        "research",
        "--target-branch",
        "release",
        "--json",
        cwd=project,
    ).json()
    assert (second["mission_number"], second["mission_type"], second["target_branch"]) == (
        2,
        "research",
        "release",
    )
    assert Path(second["mission_dir"]).is_absolute()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--target-branch", "..bad"], "TARGET_BRANCH_INVALID"),
        (["--mission-type", "custom-thing"], "MISSION_TYPE_UNKNOWN"),
    ],
)
def test_create_rejects_bad_input_without_writing(
    run_cli, project: Path, args: list[str], code: str
) -> None:
    res = run_cli("agent", "mission", "create", "x", *args, "--json", cwd=project)
    assert res.exit_code == 2 and res.json()["error_code"] == code
    assert not (project / "kitty-specs").exists() or not any((project / "kitty-specs").iterdir())


def test_create_on_detached_head_needs_target_branch(run_cli, project: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=project, check=True)
    res = run_cli("agent", "mission", "create", "x", "--json", cwd=project)
    assert res.json()["error_code"] == "TARGET_BRANCH_UNKNOWN"
    ok = run_cli(
        "agent", "mission", "create", "x", "--target-branch", "main", "--json", cwd=project
    )
    assert ok.exit_code == 0


def test_create_refuses_when_another_mission_is_legacy(run_cli, project: Path) -> None:
    legacy = project / "kitty-specs" / "001-old"
    legacy.mkdir(parents=True)
    legacy_meta = {"feature_slug": "001-old", "feature_number": "001"}  # legacy input, refused
    (legacy / "meta.json").write_text(json.dumps(legacy_meta))
    res = run_cli("agent", "mission", "create", "new", "--json", cwd=project)
    assert res.exit_code == 2
    body = res.json()
    assert body["error_code"] == "LEGACY_STATE" and "spec-kitty upgrade" in body["message"]
    assert body["details"]["file"].endswith("001-old/meta.json")


def test_python_dash_m_entry_point(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", "identity", "show", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["result"] == "success"


def test_usage_error_names_the_parameter(run_cli, project: Path) -> None:
    missing = run_cli("agent", "mission", "create", "--json", cwd=project).json()
    assert missing["details"] == {"param": "'TITLE'"}
    bad = run_cli("agent", "mission", "create", "x", "--mission-type", "--json", cwd=project)
    assert bad.exit_code == 2
    choice = run_cli("sync", "events", "--state", "lost", "--json", cwd=project).json()
    assert choice["error_code"] == "USAGE_ERROR" and choice["details"] == {"param": "'--state'"}
