"""Projects made by the RELEASED spec-kitty-cli versions: `spec-kitty upgrade`, then every command
on the upgraded project, then a second upgrade that changes nothing (real subprocesses).

The fixtures come from scripts/make_release_fixtures.py (see each PROVENANCE.md); the lanes each
release's own board showed are in its fixture.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from release_support import VERSIONS, fixture_meta, materialize

POLICY = json.dumps(
    {
        "orchestrator_id": "release-upgrade-test",
        "orchestrator_version": "1.0.0",
        "agent_family": "claude",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
    }
)
CUSTOM_MISSION = """\
mission:
  key: release-check
  name: Release check
  version: 1.0.0
steps:
  - id: draft
    title: Draft
    agent_profile: implementer-ivan
  - id: retrospective
    title: Retrospective
    depends_on: [draft]
"""
BOARD_ALIAS = {"doing": "in_progress"}


def _cli(root: Path, home: Path, *args: str) -> tuple[int, Any]:
    env = {**os.environ, "HOME": str(home), "SPEC_KITTY_HOME": str(home / ".spec-kitty-state")}
    for var in ("SPEC_KITTY_SERVER_URL", "SPEC_KITTY_TOKEN", "SPECIFY_REPO_ROOT"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        return proc.returncode, proc.stdout + proc.stderr


def _ok(root: Path, home: Path, *args: str) -> Any:
    code, data = _cli(root, home, *args)
    assert code == 0, (args, data)
    return data


@pytest.mark.parametrize("version", VERSIONS)
def test_release_project_upgrade_then_every_command(version: str, tmp_path: Path) -> None:
    project, home = materialize(version, tmp_path / "fx")
    meta = fixture_meta(version)
    slug = meta["mission_slug"]

    report = _ok(project, home, "upgrade", "--yes", "--json")
    assert report["status"] == "upgraded" and report["verified"] is True

    missions = _ok(project, home, "mission", "list", "--json")["missions"]
    assert [m["mission_slug"] for m in missions] == [slug]
    ident = _ok(project, home, "identity", "show", "--json")
    assert ident["project"]["uuid"] and ident["build"]["id"] and ident["node"]["id"]

    board = _ok(project, home, "status", "--mission", slug, "--json")
    lanes = {wp["wp_id"]: wp["lane"] for wp in board["work_packages"]}
    assert lanes == {wp: BOARD_ALIAS.get(lane, lane) for wp, lane in meta["board"].items()}

    state = _ok(project, home, "orchestrator-api", "mission-state", "--mission", slug)
    assert state["success"] and {w["wp_id"]: w["lane"] for w in state["data"]["work_packages"]} == (
        lanes
    )
    ready = _ok(project, home, "orchestrator-api", "list-ready", "--mission", slug)["data"]
    for wp in ready["ready_work_packages"]:  # what list-ready offers, start-implementation takes
        started = _ok(
            project,
            home,
            "orchestrator-api",
            "start-implementation",
            "--mission",
            slug,
            "--wp",
            wp["wp_id"],
            "--actor",
            "release-test",
            "--policy",
            POLICY,
        )
        assert started["success"], started

    moved = _ok(
        project,
        home,
        "agent",
        "tasks",
        "move",
        "WP02",
        "--to",
        "for_review",
        "--mission",
        slug,
        "--json",
    )
    assert moved["result"] == "success"
    assert (
        _ok(project, home, "status", "--mission", slug, "--json")["work_packages"][1]["lane"]
        == "for_review"
    )

    events = _ok(project, home, "sync", "events", "--json")
    assert events["result"] == "success"
    _ok(project, home, "sync", "status", "--json")

    definition = project / ".kittify" / "missions" / "release-check" / "mission.yaml"
    definition.parent.mkdir(parents=True, exist_ok=True)
    definition.write_text(CUSTOM_MISSION)
    run = _ok(project, home, "mission", "run", "release-check", "--mission", slug, "--json")
    assert run["result"] == "success"

    code, _ = _cli(project, home, "next", "--help")
    if code == 0:  # `next` exists on this build: it must accept the upgraded mission
        _ok(project, home, "next", "--mission", slug, "--json")

    again = _ok(project, home, "upgrade", "--yes", "--json")
    assert again["status"] == "up_to_date" and again["applied"] == []
