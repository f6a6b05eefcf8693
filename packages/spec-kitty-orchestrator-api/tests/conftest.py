"""Fixtures: a real git project with an initialised identity and one mission, a recording sink."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

POLICY = {
    "orchestrator_id": "spec-kitty-orchestrator",
    "orchestrator_version": "0.1.2",
    "agent_family": "claude",
    "approval_mode": "full_auto",
    "sandbox_mode": "workspace_write",
    "network_mode": "none",
    "dangerous_flags": [],
    "tool_restrictions": None,
}
POLICY_JSON = json.dumps(POLICY)


@dataclass
class RecordingSink:
    """An EventSink that keeps what it publishes (and can be told to refuse in prepare)."""

    events: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    stamped: list[Any] = field(default_factory=list)
    refuse: bool = False

    def prepare(self, events: Any) -> list[Any]:
        if self.refuse:
            raise RuntimeError("sink refused")
        return list(events)

    def publish(self, prepared: list[Any]) -> None:
        for e in prepared:
            self.stamped.append(e)
            self.events.append((e.event_type, e.aggregate_type, e.aggregate_id, e.payload))

    def types(self) -> list[str]:
        return [e[0] for e in self.events]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SPEC_KITTY_HOME", str(home / "state"))
    monkeypatch.delenv("SPECIFY_REPO_ROOT", raising=False)
    return home


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def _write_wp(
    mission_dir: Path,
    wp_id: str,
    *,
    title: str = "Work",
    deps: list[str] | None = None,
    extra: str = "",
    name: str | None = None,
) -> Path:
    path = mission_dir / "tasks" / (name or f"{wp_id}-{title.split()[0].lower()}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nwork_package_id: {wp_id}\ntitle: {title}\n"
        f"dependencies: [{', '.join(deps or [])}]\nsubtasks: []\n{extra}---\n# {wp_id}\nDo it.\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Env:
    root: Path
    slug: str
    mission_dir: Path
    sink: RecordingSink

    def host(self) -> Any:
        from spec_kitty_orchestrator_api import Host

        return Host(self.root, sink=self.sink)

    def events(self) -> list[dict[str, Any]]:
        path = self.mission_dir / "status.events.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def transitions(self) -> list[dict[str, Any]]:
        return [e for e in self.events() if "kind" not in e]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """A git repo (one commit) with a spec-kitty identity and a mission of WP01, WP02, WP03."""
    from spec_kitty_identity import create_mission, init_project

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@spec-kitty.invalid")
    git(root, "config", "user.name", "t")
    init_project(root)
    (root / ".gitignore").write_text(".worktrees/\n.kittify/state/\n", encoding="utf-8")
    ref = create_mission(
        root, title="Text pipeline", mission_type="software-dev", target_branch="main"
    )
    _write_wp(ref.path, "WP01", title="Parser")
    _write_wp(ref.path, "WP02", title="Renderer")
    _write_wp(ref.path, "WP03", title="Wire", deps=["WP01", "WP02"])
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "mission")
    return Env(root=root, slug=ref.slug, mission_dir=ref.path, sink=RecordingSink())


@pytest.fixture
def write_wp() -> Any:
    """``write_wp(mission_dir, wp_id, title=, deps=, extra=, name=)`` -> the prompt file path."""
    return _write_wp


@pytest.fixture
def policy_json() -> str:
    return POLICY_JSON
