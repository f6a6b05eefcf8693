"""Builds a real git project with a 3-WP mission and runs the real orchestrator 0.1.2 on it.

`bin/` (first on PATH) holds a `spec-kitty` shim that runs this workspace's CLI with the current
interpreter, and the fake `claude` agent. WP03 depends on WP01 and WP02.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ORCHESTRATOR_TOML = """max_concurrent_wps = 4

[agents]
implementation = ["claude-code"]
review = ["claude-code"]
max_retries = {max_retries}
timeout_seconds = 60
"""
POLICY_JSON = json.dumps(
    {
        "orchestrator_id": "spec-kitty-orchestrator",
        "orchestrator_version": "0.1.2",
        "agent_family": "claude",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
        "tool_restrictions": None,
    }
)
WPS = {
    "WP01": ("Parser", []),
    "WP02": ("Renderer", []),
    "WP03": ("Wire parser and renderer", ["WP01", "WP02"]),
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@dataclass
class Project:
    root: Path
    slug: str
    env: dict[str, str]
    agent_log: Path

    def spec_kitty(self, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
        proc = subprocess.run(
            ["spec-kitty", *args],
            cwd=cwd or self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, (proc.stdout, proc.stderr)
        return proc.returncode, json.loads(lines[0])

    def orchestrate(self, timeout: float = 150) -> subprocess.CompletedProcess[str]:
        cmd = [
            sys.executable,
            "-m",
            "spec_kitty_orchestrator.cli.main",
            "orchestrate",
            "--mission",
            self.slug,
            "--repo-root",
            str(self.root),
            "--max-concurrent",
            "4",
        ]
        return subprocess.run(
            cmd, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def events(self) -> list[dict[str, Any]]:
        path = self.root / "kitty-specs" / self.slug / "status.events.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def agent_calls(self) -> list[dict[str, Any]]:
        if not self.agent_log.exists():
            return []
        return [json.loads(line) for line in self.agent_log.read_text().splitlines()]


def _write_exec(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def make_project(tmp: Path, *, max_retries: int = 1, **agent_env: str) -> Project:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    _write_exec(
        bin_dir / "spec-kitty", f'#!/bin/sh\nexec "{sys.executable}" -m spec_kitty_cli "$@"\n'
    )
    shutil.copy(HERE / "fake_agent.py", bin_dir / "claude")
    _write_exec(bin_dir / "claude", (HERE / "fake_agent.py").read_text(encoding="utf-8"))
    agent_log = tmp / "agent-calls.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in {"SPECIFY_REPO_ROOT"}}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        SPEC_KITTY_HOME=str(tmp / "home-state"),
        HOME=str(tmp),
        FAKE_AGENT_LOG=str(agent_log),
        **agent_env,
    )
    root = tmp / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "e2e@spec-kitty.invalid")
    git(root, "config", "user.name", "spec-kitty e2e")
    project = Project(root=root, slug="", env=env, agent_log=agent_log)

    def run(*args: str) -> str:
        return subprocess.run(
            ["spec-kitty", *args], cwd=root, env=env, capture_output=True, text=True, check=True
        ).stdout

    run("init", "--json")
    created = json.loads(run("agent", "mission", "create", "Text pipeline", "--json"))
    project.slug = created["mission_slug"]
    tasks = root / "kitty-specs" / project.slug / "tasks"
    for wp_id, (title, deps) in WPS.items():
        front = f"work_package_id: {wp_id}\ntitle: {title}\ndependencies: [{', '.join(deps)}]\n"
        body = f"# Work Package Prompt: {wp_id} - {title}\n\nImplement {title.lower()}.\n"
        (tasks / f"{wp_id}-{title.split()[0].lower()}.md").write_text(
            f"---\n{front}subtasks: []\n---\n{body}", encoding="utf-8"
        )
    (root / ".kittify" / "orchestrator.toml").write_text(
        ORCHESTRATOR_TOML.format(max_retries=max_retries), encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "mission with three work packages")
    return project
