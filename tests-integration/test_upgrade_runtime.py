"""After `spec-kitty upgrade`, every runtime path accepts the migrated state (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "packages" / "spec-kitty-migrate" / "tests"))
import sk_legacy_fixtures as legacy

SLUG = "064-complete-mission-identity-cutover"


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
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    return proc.returncode, json.loads(lines[-1]) if lines else proc.stderr


def test_runtime_paths_after_upgrade(tmp_path: Path, isolated_home: Path) -> None:
    home = isolated_home
    root = legacy.make_repo(tmp_path / "project")
    legacy.write_legacy_config(root)
    legacy.write_meta(root, SLUG, legacy.legacy_meta(SLUG))
    legacy.write_status(root, SLUG, legacy.legacy_status_lines(SLUG))
    wp = root / "kitty-specs" / SLUG / "tasks" / "WP01-setup.md"
    wp.parent.mkdir(parents=True)
    wp.write_text(
        f"---\nwork_package_id: WP01\ntitle: Set up\nfeature_slug: {SLUG}\n"
        "dependencies: []\n---\n# WP01\n"
    )
    (root / "kitty-specs" / SLUG / "spec.md").write_text("# Spec ✓\n")
    queue = legacy.make_legacy_queue(
        home / ".spec-kitty" / "queue.db", [legacy.legacy_row(i) for i in range(25)]
    )
    legacy.git(root, "add", "-A")
    legacy.git(root, "commit", "-q", "-m", "legacy")

    # live code fails closed and points to upgrade
    code, out = _cli(root, home, "orchestrator-api", "mission-state", "--mission", SLUG)
    assert code != 0 and "upgrade" in json.dumps(out)
    code, out = _cli(root, home, "identity", "show", "--json")
    assert code == 2 and out["error_code"] == "LEGACY_STATE"

    code, out = _cli(root, home, "upgrade", "--yes", "--json")
    assert code == 0 and out["status"] == "upgraded", out
    assert legacy.assert_rows_carried(queue, root / ".kittify" / "state" / "bodies.db") == 25

    code, out = _cli(root, home, "identity", "show", "--json")
    assert code == 0 and out["build"]["id"] == "9b2f6a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    code, out = _cli(root, home, "orchestrator-api", "mission-state", "--mission", SLUG)
    assert code == 0 and out["success"], out
    [wp_state] = out["data"]["work_packages"]
    assert (wp_state["wp_id"], wp_state["lane"]) == ("WP01", "for_review")
    code, out = _cli(root, home, "orchestrator-api", "list-ready", "--mission", SLUG)
    assert code == 0 and out["success"], out
    code, out = _cli(root, home, "sync", "bodies", "--json")
    assert code == 0 and out["result"] == "success", out
    from spec_kitty_bodysync import BodyQueue

    with BodyQueue(root / ".kittify" / "state" / "bodies.db") as bodies:
        # the legacy rows are kept; offline, the new bodies wait for their index events
        assert bodies.counts()["pending"] == 25
    assert out["index_events"] > 0 and out["status"] == "queued offline"


LANES_SLUG = "065-legacy-lanes"


def _wp_file(root: Path, name: str, wp_id: str, lane: str, deps: str = "[]") -> Path:
    path = root / "kitty-specs" / LANES_SLUG / "tasks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nwork_package_id: {wp_id}\ntitle: Work package {wp_id}\n"
        f"feature_slug: {LANES_SLUG}\nlane: {lane}\ndependencies: {deps}\n---\n# {wp_id}\n",
        encoding="utf-8",
    )
    return path


def test_wp_lane_frontmatter_after_upgrade(tmp_path: Path, isolated_home: Path) -> None:
    home = isolated_home
    root = legacy.make_repo(tmp_path / "project")
    legacy.write_legacy_config(root)
    legacy.write_meta(root, LANES_SLUG, legacy.legacy_meta(LANES_SLUG, "065"))
    lanes = {"WP01": "doing", "WP02": "for_review", "WP03": "approved", "WP04": "done"}
    files = {
        wp_id: _wp_file(
            root, f"{wp_id}-work.md", wp_id, lane, "[WP01]" if wp_id != "WP01" else "[]"
        )
        for wp_id, lane in lanes.items()
    }
    bad = _wp_file(root, "WP05-odd.md", "WP05", "in_review")
    legacy.git(root, "add", "-A")
    legacy.git(root, "commit", "-q", "-m", "legacy lanes")

    code, out = _cli(root, home, "orchestrator-api", "mission-state", "--mission", LANES_SLUG)
    assert code != 0  # the legacy frontmatter is refused

    code, out = _cli(root, home, "upgrade", "--yes", "--json")
    assert code == 2 and out["error_code"] == "UPGRADE_CONFLICT", out
    [conflict] = out["details"]["conflicts"]
    assert (
        conflict["path"] == str(bad) and "'in_review' is not a 3.0.0 lane" in conflict["conflict"]
    )
    assert "lane: in_review" in bad.read_text(encoding="utf-8")
    for path in files.values():
        assert "\nlane:" not in path.read_text(encoding="utf-8")
    bad.unlink()  # the operator settles WP05 by hand

    expected = {"WP01": "in_progress", "WP02": "for_review", "WP03": "approved", "WP04": "done"}
    code, out = _cli(root, home, "orchestrator-api", "mission-state", "--mission", LANES_SLUG)
    assert code == 0 and out["success"], out
    got = {wp["wp_id"]: wp["lane"] for wp in out["data"]["work_packages"]}
    assert got == expected
    code, out = _cli(root, home, "status", "--mission", LANES_SLUG, "--json")
    assert code == 0 and out["result"] == "success", out
    assert {wp["wp_id"]: wp["lane"] for wp in out["work_packages"]} == expected
    assert all(wp["force_count"] == 1 for wp in out["work_packages"])

    log = root / "kitty-specs" / LANES_SLUG / "status.events.jsonl"
    before = log.read_bytes()
    code, out = _cli(root, home, "upgrade", "--yes", "--json")
    assert code == 0 and out["status"] == "up_to_date", out
    assert log.read_bytes() == before
