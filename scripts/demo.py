"""The main job: one mission end to end on the embedded offline default.

Creates a throw-away git project, initialises spec-kitty, creates a mission, writes three work
packages (WP03 depends on WP01 and WP02), finalizes them, drives every work package through the
lanes with the orchestrator API, accepts the mission, then prints the kanban board and the
gate-checked events waiting in the offline queue. Nothing needs a server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

POLICY = json.dumps(
    {
        "orchestrator_id": "quickstart",
        "orchestrator_version": "1.0.0",
        "agent_family": "demo",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
    }
)

WP = """---
work_package_id: {wp}
title: {title}
dependencies: {deps}
subtasks: []
---
# Work Package Prompt: {wp} - {title}

Implement {lower}.
"""

WORK_PACKAGES = (
    ("WP01", "Cart model", "[]"),
    ("WP02", "Payment port", "[]"),
    ("WP03", "Checkout", "[WP01, WP02]"),
)


def spec_kitty(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args], cwd=root, capture_output=True, text=True
    )


def sk(root: Path, *args: str) -> Any:
    """Run `spec-kitty ARGS` in ``root`` and return its one JSON object (exit on failure)."""
    done = spec_kitty(root, *args)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"spec-kitty {' '.join(args)} failed with exit {done.returncode}")
    return json.loads(done.stdout)


def show(root: Path, *args: str) -> None:
    """Run `spec-kitty ARGS` for people and print what it prints (exit on failure)."""
    done = spec_kitty(root, *args)
    if done.stderr.strip():  # notes such as the inferred mission come first, as in a terminal
        sys.stdout.write(done.stderr)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        raise SystemExit(f"spec-kitty {' '.join(args)} failed with exit {done.returncode}")


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def drive(root: Path, slug: str, wp: str) -> None:
    """One work package: claim and start, submit for review, approve (done)."""
    common = ["--mission", slug, "--wp", wp, "--actor", "quickstart"]
    sk(root, "orchestrator-api", "start-implementation", *common, "--policy", POLICY)
    sk(
        root, "orchestrator-api", "transition", *common, "--to", "for_review", "--policy", POLICY,
        "--note", "implemented", "--subtasks-complete", "--implementation-evidence-present",
    )  # fmt: skip
    done = sk(
        root, "orchestrator-api", "transition", *common, "--to", "done", "--policy", POLICY,
        "--note", "approved", "--review-ref", f"review-{wp}",
    )  # fmt: skip
    print(f"  {wp}: planned → claimed → in_progress → for_review → {done['data']['to_lane']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temp project")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="spec-kitty-quickstart-"))
    root = base / "project"
    root.mkdir()
    os.environ["SPEC_KITTY_HOME"] = str(base / "user-state")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "demo@spec-kitty.invalid")
    git(root, "config", "user.name", "demo")

    step("spec-kitty init")
    show(root, "init")
    step('spec-kitty mission create "Quickstart checkout flow"')
    mission = sk(root, "mission", "create", "Quickstart checkout flow", "--json")
    slug = mission["mission_slug"]
    print(f"created mission {slug} in kitty-specs/{slug}/")
    tasks = Path(mission["mission_dir"]) / "tasks"
    for wp, title, deps in WORK_PACKAGES:
        text = WP.format(wp=wp, title=title, deps=deps, lower=title.lower())
        (tasks / f"{wp}-{title.lower().replace(' ', '-')}.md").write_text(text, encoding="utf-8")
        needs = deps.strip("[]") or "nothing"
        print(f"wrote tasks/{wp}-{title.lower().replace(' ', '-')}.md (depends on {needs})")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "mission and work packages")

    step("spec-kitty agent tasks finalize")
    show(root, "agent", "tasks", "finalize")
    step("spec-kitty status (before)")
    show(root, "status")
    step("orchestrator-api: an orchestrator drives every work package through the lanes")
    for wp, _, _ in WORK_PACKAGES:
        drive(root, slug, wp)
    step("orchestrator-api accept-mission")
    accepted = sk(
        root, "orchestrator-api", "accept-mission", "--mission", slug, "--actor", "quickstart"
    )
    print(f"accepted: {accepted['data'].get('mission_slug', slug)}")
    step("spec-kitty status (the board)")
    show(root, "status", "--mission", slug)
    step(
        "spec-kitty sync events (the offline queue; each event passed the gate before it was stored)"
    )
    show(root, "sync", "events", "--limit", "0")
    step("spec-kitty sync status")
    show(root, "sync", "status")
    step("spec-kitty identity show")
    show(root, "identity", "show")
    step(
        "git status (mission files changed; identity, queues and locks stay in untracked .kittify/state)"
    )
    print(git(root, "status", "--short", "--untracked-files=all"), end="")
    if args.keep:
        print(f"quickstart: mission {slug} done; project kept in {root}")
    else:
        shutil.rmtree(base, ignore_errors=True)
        print(f"quickstart: mission {slug} done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
