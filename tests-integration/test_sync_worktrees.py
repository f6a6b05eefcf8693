"""Two `git worktree`s of one repository sync to the SaaS with their own build ids.

Every envelope the stub receives is validated with spec-kitty-events 3.0.0; any rejection fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from saas_stub import SaasStub


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def spec_kitty(cwd: Path, *args: str, env: dict[str, str]) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def stub() -> Iterator[SaasStub]:
    with SaasStub() as server:
        yield server


@pytest.fixture
def env(stub: SaasStub, isolated_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SPEC_KITTY_SERVER_URL": stub.url,
        "SPEC_KITTY_TOKEN": stub.token,
        "SPEC_KITTY_SYNC_BACKOFF_BASE": "0.01",
    }


def test_two_worktrees_sync_two_build_ids(tmp_path: Path, stub: SaasStub, env) -> None:
    main = tmp_path / "repo"
    main.mkdir()
    git(main, "init", "-q", "-b", "main")
    git(main, "config", "user.email", "test@spec-kitty.invalid")
    git(main, "config", "user.name", "spec-kitty test")
    git(main, "remote", "add", "origin", "https://github.com/acme/widgets.git")
    spec_kitty(main, "init", ".", "--json", env=env)
    git(main, "add", "-A")
    git(main, "commit", "-q", "-m", "init")
    other = tmp_path / "wt-other"
    git(main, "worktree", "add", "-q", "-b", "other", str(other))

    builds = {}
    for checkout, title in ((main, "Main work"), (other, "Side work")):
        created = spec_kitty(checkout, "agent", "mission", "create", title, "--json", env=env)
        synced = spec_kitty(checkout, "sync", "now", "--json", env=env)
        # MissionCreated + 6 dossier events; the second checkout also indexes the first
        # checkout's mission under its own build (each checkout keeps its own dossier)
        assert synced["events"]["delivered"] == (7 if checkout == main else 13), synced
        assert synced["bodies"]["report"]["dead_letter"] == 0
        assert synced["queue"]["pending"] == 0
        builds[checkout] = spec_kitty(checkout, "identity", "show", "--json", env=env)
        builds[checkout]["mission_id"] = created["mission_id"]

    assert stub.invalid == []
    received = {
        env_["aggregate_id"]: env_
        for env_ in stub.events.values()
        if env_["event_type"] == "MissionCreated"
    }
    assert len(received) == 2
    seen_builds = set()
    for ident in builds.values():
        event = received[ident["mission_id"]]
        assert event["build_id"] == ident["build"]["id"]
        assert event["project_uuid"] == ident["project"]["uuid"]
        seen_builds.add(event["build_id"])
    assert len(seen_builds) == 2
    assert all(n == 1 for n in stub.success_counts.values())
    # the per-checkout state stays untracked in both checkouts
    for checkout in builds:
        assert git(checkout, "status", "--porcelain", ".kittify") == ""
