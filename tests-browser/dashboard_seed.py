"""A seeded 3-mission project for the dashboard's browser tests and its docs screenshot.

Everything goes through the real CLI (`python -m spec_kitty_cli`) in a fresh git repository, so
the page shows exactly what a user's project holds. Run it alone to get a project to look at:

    uv run --no-sync python tests-browser/dashboard_seed.py /tmp/sk-demo
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT_TITLE = "<script>alert('x')</script> payload"

MISSIONS: list[dict[str, object]] = [
    {
        "title": "Checkout flow",
        "type": "software-dev",
        "wps": [
            ("WP01", "Cart model and totals", []),
            ("WP02", "Payment provider adapter", ["WP01"]),
            ("WP03", "Checkout page", ["WP01", "WP02"]),
            ("WP04", "Order confirmation e-mail", ["WP03"]),
            ("WP05", "Fraud checks", ["WP02"]),
            ("WP06", SCRIPT_TITLE, []),
            ("WP07", "Refunds", ["WP02"]),
        ],
        "moves": [
            ("WP01", ["claimed", "in_progress", "for_review", "approved", "done"], "ann"),
            ("WP02", ["claimed", "in_progress", "for_review"], "bob"),
            ("WP03", ["claimed", "in_progress"], "cleo"),
            ("WP05", ["claimed", "in_progress", "blocked"], "dev"),
            ("WP07", ["canceled"], "ann"),
        ],
    },
    {
        "title": "Search index",
        "type": "software-dev",
        "wps": [
            ("WP01", "Tokenizer", []),
            ("WP02", "Inverted index", ["WP01"]),
            ("WP03", "Ranking", ["WP02"]),
            ("WP04", "Query API", ["WP02"]),
        ],
        "moves": [
            ("WP01", ["claimed", "in_progress", "for_review", "approved"], "eve"),
            ("WP02", ["claimed"], "eve"),
        ],
    },
    {
        "title": "Docs refresh",
        "type": "documentation",
        "wps": [
            ("WP01", "Audit the current pages", []),
            ("WP02", "Rewrite the quickstart", ["WP01"]),
            ("WP03", "Screenshots", ["WP02"]),
        ],
        "moves": [("WP01", ["claimed", "in_progress", "for_review", "done"], "fay")],
    },
]


def sk(root: Path, env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args, "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    doc = json.loads(done.stdout)
    assert isinstance(doc, dict)
    return doc


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def make_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPEC_KITTY")}
    env.pop("SPECIFY_REPO_ROOT", None)
    env.update(HOME=str(home), SPEC_KITTY_HOME=str(home / ".spec-kitty-state"))
    return env


def move(root: Path, env: dict[str, str], slug: str, wp: str, lane: str, actor: str) -> None:
    args = ["agent", "tasks", "move", wp, "--to", lane, "--mission", slug, "--actor", actor]
    if lane == "blocked":
        args += ["--note", "waiting for the payment sandbox credentials"]
    if lane == "canceled":
        args += ["--note", "out of scope for this release"]
    sk(root, env, *args)


def seed(root: Path, env: dict[str, str]) -> list[str]:
    """Create the project and its three missions; return the mission slugs."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "demo@spec-kitty.invalid")
    git(root, "config", "user.name", "spec-kitty demo")
    sk(root, env, "init")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    slugs = []
    for mission in MISSIONS:
        created = sk(
            root,
            env,
            "agent",
            "mission",
            "create",
            str(mission["title"]),
            "--mission-type",
            str(mission["type"]),
        )
        slug = str(created["mission_slug"])
        slugs.append(slug)
        tasks = root / "kitty-specs" / slug / "tasks"
        for wp, title, deps in mission["wps"]:  # type: ignore[attr-defined]
            front = json.dumps(title)
            (tasks / f"{wp}.md").write_text(
                f"---\nwork_package_id: {wp}\ntitle: {front}\ndependencies: {json.dumps(deps)}\n"
                f"---\n# {wp}\n",
                encoding="utf-8",
            )
        sk(root, env, "agent", "tasks", "finalize", "--mission", slug)
        for wp, lanes, actor in mission["moves"]:  # type: ignore[attr-defined]
            for lane in lanes:
                move(root, env, slug, wp, lane, actor)
    return slugs


if __name__ == "__main__":  # pragma: no cover - a helper for people
    target = Path(sys.argv[1]).resolve()
    print("\n".join(seed(target, make_env(target.parent / "home"))))
