"""kill -9 at random points of `spec-kitty upgrade`, then rerun: the fully migrated state, zero loss."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "packages" / "spec-kitty-migrate" / "tests"))
import sk_legacy_fixtures as legacy

ROWS = 12_000
SLUGS = [f"{n:03d}-mission-{n}" for n in range(1, 9)]


def _build_template(base: Path) -> tuple[Path, Path]:
    home = base / "home"
    root = legacy.make_repo(base / "project")
    legacy.write_legacy_config(root)
    for n, slug in enumerate(SLUGS, start=1):
        legacy.write_meta(root, slug, legacy.legacy_meta(slug, f"{n:03d}"))
        legacy.write_status(root, slug, legacy.legacy_status_lines(slug))
        legacy.write_wp(root, slug)
    rows = [legacy.legacy_row(i) for i in range(ROWS)]
    rows += [legacy.legacy_row(i, project_uuid=legacy.OTHER_UUID) for i in range(100)]
    legacy.make_legacy_queue(home / ".spec-kitty" / "queue.db", rows)
    return root, home


def _upgrade(root: Path, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "HOME": str(home), "SPEC_KITTY_HOME": str(home / ".spec-kitty-state")}
    return subprocess.Popen(
        [sys.executable, "-m", "spec_kitty_cli", "upgrade", "--yes", "--json"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_fully_migrated(root: Path, home: Path, legacy_queue: Path) -> None:
    from spec_kitty_identity import load_mission_meta

    for n, slug in enumerate(SLUGS, start=1):
        ident = load_mission_meta(root / "kitty-specs" / slug / "meta.json")
        assert ident.mission_number == n
        lines = (root / "kitty-specs" / slug / "status.events.jsonl").read_text().splitlines()
        rows = [json.loads(x) for x in lines]
        assert [r["event_id"] for r in rows] == [
            x["event_id"] for x in legacy.legacy_status_lines(slug)
        ]
        assert all("feature_slug" not in r for r in rows)
        assert all(r.get("mission_id") in (None, ident.mission_id) for r in rows)
        wp = (root / "kitty-specs" / slug / "tasks" / "WP01-setup.md").read_text()
        assert "\nlane:" not in wp.split("---")[1]  # WP01 is in the log already: no seed
    canonical = root / ".kittify" / "state" / "bodies.db"
    assert legacy.assert_rows_carried(legacy_queue, canonical) == ROWS
    assert len(legacy.canonical_rows_by_key(canonical)) == ROWS  # nothing twice, nothing foreign


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun(tmp_path: Path) -> None:
    template_root, _template_home = _build_template(tmp_path / "template")
    rng = random.Random(20260405)
    started = time.monotonic()
    kills = 0
    for attempt in range(3):
        base = tmp_path / f"run{attempt}"
        shutil.copytree(template_root.parent, base)
        root, home = base / "project", base / "home"
        for _ in range(2):  # kill, and kill the resuming run too
            proc = _upgrade(root, home)
            time.sleep(rng.uniform(0.2, 0.8))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.communicate()
        final = _upgrade(root, home)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, out + err
        data = json.loads(out)
        assert data["status"] in {"upgraded", "up_to_date"}
        _assert_fully_migrated(root, home, home / ".spec-kitty" / "queue.db")
    again = _upgrade(root, home)
    out, _ = again.communicate(timeout=60)
    assert json.loads(out)["status"] == "up_to_date"
    assert kills >= 3, "the kill window missed the run; widen it"
    assert time.monotonic() - started < 60
