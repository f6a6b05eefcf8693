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
import subprocess
import sys
import tempfile
from pathlib import Path

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

{body}
"""


def sk(root: Path, *args: str, check: bool = True) -> dict:
    """Run `spec-kitty ARGS` in ``root`` and return its one JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args], cwd=root, capture_output=True, text=True
    )
    if check and done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"spec-kitty {' '.join(args)} failed with exit {done.returncode}")
    return json.loads(done.stdout) if done.stdout.strip().startswith("{") else {"raw": done.stdout}


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp project and print its path"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="spec-kitty-quickstart-"))
    root = base / "project"
    root.mkdir()
    os.environ.setdefault("SPEC_KITTY_HOME", str(base / "user-state"))
    for cmd in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "demo@spec-kitty.invalid"],
        ["config", "user.name", "demo"],
    ):
        subprocess.run(["git", *cmd], cwd=root, check=True)

    step("spec-kitty init")
    print(json.dumps(sk(root, "init", "--json"), indent=2))
    step("spec-kitty agent mission create")
    mission = sk(root, "agent", "mission", "create", "Quickstart checkout flow", "--json")
    print(json.dumps(mission, indent=2))
    slug = mission["mission_slug"]
    tasks = Path(mission["mission_dir"]) / "tasks"
    for wp, title, deps in (
        ("WP01", "Cart model", "[]"),
        ("WP02", "Payment port", "[]"),
        ("WP03", "Checkout", "[WP01, WP02]"),
    ):
        (tasks / f"{wp}-{title.lower().replace(' ', '-')}.md").write_text(
            WP.format(wp=wp, title=title, deps=deps, body=f"Implement {title.lower()}."),
            encoding="utf-8",
        )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "mission and work packages"], cwd=root, check=True)

    if (
        Path(__file__).parent.parent
        / "packages/spec-kitty-cli/src/spec_kitty_cli/commands/agent_tasks.py"
    ).exists():
        step("spec-kitty agent tasks finalize")
        print(
            json.dumps(
                sk(root, "agent", "tasks", "finalize", "--mission", slug, "--json"), indent=2
            )
        )
        step("orchestrator-api: drive every work package through the lanes")
        for wp in ("WP01", "WP02", "WP03"):
            sk(
                root,
                "orchestrator-api",
                "start-implementation",
                "--mission",
                slug,
                "--wp",
                wp,
                "--actor",
                "quickstart",
                "--policy",
                POLICY,
            )
            sk(
                root,
                "orchestrator-api",
                "transition",
                "--mission",
                slug,
                "--wp",
                wp,
                "--to",
                "for_review",
                "--actor",
                "quickstart",
                "--policy",
                POLICY,
                "--note",
                "implemented",
                "--subtasks-complete",
                "--implementation-evidence-present",
            )
            done = sk(
                root,
                "orchestrator-api",
                "transition",
                "--mission",
                slug,
                "--wp",
                wp,
                "--to",
                "done",
                "--actor",
                "quickstart",
                "--policy",
                POLICY,
                "--note",
                "approved",
                "--review-ref",
                f"review-{wp}",
            )
            print(f"  {wp}: {done['data']['from_lane']} -> {done['data']['to_lane']}")
        step("orchestrator-api accept-mission")
        print(
            json.dumps(
                sk(
                    root,
                    "orchestrator-api",
                    "accept-mission",
                    "--mission",
                    slug,
                    "--actor",
                    "quickstart",
                ),
                indent=2,
            )
        )
        step("spec-kitty status (the board)")
        board = subprocess.run(
            [sys.executable, "-m", "spec_kitty_cli", "status", "--mission", slug],
            cwd=root,
            text=True,
            capture_output=True,
        )
        print(board.stdout or board.stderr)
    step("spec-kitty identity show")
    print(json.dumps(sk(root, "identity", "show", "--json"), indent=2))
    if (
        Path(__file__).parent.parent / "packages/spec-kitty-cli/src/spec_kitty_cli/commands/sync.py"
    ).exists():
        step(
            "spec-kitty sync status (offline queue, every event gate-checked before it was stored)"
        )
        print(json.dumps(sk(root, "sync", "status", "--json"), indent=2))
    step("git status (identity and queues never dirty the tree)")
    print(
        subprocess.run(
            ["git", "status", "--short"], cwd=root, capture_output=True, text=True
        ).stdout
        or "  clean"
    )
    print(f"\nquickstart: mission {slug} done in {root if args.keep else 'a temp project'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
