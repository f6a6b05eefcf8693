"""The legacy `lane:` key of WP frontmatter: removed, and seeded into the mission's status log."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sk_legacy_fixtures as legacy

from spec_kitty_identity import is_ulid, load_build_id, load_mission_meta
from spec_kitty_migrate import plan_upgrade, run_upgrade

SLUG = "064-complete-mission-identity-cutover"
MTIME = 1_775_000_000  # 2026-03-31T23:33:20+00:00


def _mission(repo: Path) -> Path:
    return legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG)).parent


def _wp(repo: Path, name: str, lane: str, *, wp_id: str | None = None) -> Path:
    path = repo / "kitty-specs" / SLUG / "tasks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    ident = f"work_package_id: {wp_id}\n" if wp_id else ""
    path.write_text(
        f"---\n{ident}title: Work ✓\nlane: {lane}\ndependencies: []\n---\n# body\nlane: prose\n",
        encoding="utf-8",
    )
    os.utime(path, (MTIME, MTIME))
    return path


def _log(repo: Path) -> list[dict[str, object]]:
    path = repo / "kitty-specs" / SLUG / "status.events.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def test_doing_is_seeded_as_in_progress_with_every_canonical_field(repo: Path) -> None:
    mission = _mission(repo)
    path = _wp(repo, "WP01-setup.md", "doing", wp_id="WP01")
    report = run_upgrade(repo)
    assert report.status == "upgraded" and not report.conflicts
    assert path.read_text(encoding="utf-8") == (
        "---\nwork_package_id: WP01\ntitle: Work ✓\ndependencies: []\n---\n# body\nlane: prose\n"
    )
    ident = load_mission_meta(mission / "meta.json")
    [seed] = _log(repo)
    event_id = seed.pop("event_id")
    assert is_ulid(event_id)
    assert seed == {
        "actor": "spec-kitty upgrade",
        "at": datetime.fromtimestamp(MTIME, tz=UTC).isoformat(),
        "build_id": load_build_id(repo),
        "evidence": None,
        "execution_mode": "worktree",
        "force": True,
        "from_lane": None,
        "mission_id": ident.mission_id,
        "mission_slug": SLUG,
        "policy_metadata": None,
        "reason": "migrated from the WP file's legacy lane field",
        "review_ref": None,
        "to_lane": "in_progress",
        "wp_id": "WP01",
    }
    line = (mission / "status.events.jsonl").read_text(encoding="utf-8")
    assert line.endswith("\n") and list(json.loads(line)) == sorted(json.loads(line))
    again = run_upgrade(repo)
    assert again.status == "up_to_date" and len(_log(repo)) == 1


@pytest.mark.parametrize("lane", ["planned", "for_review", "approved", "done", "Blocked"])
def test_canonical_lanes_are_seeded_as_they_are(repo: Path, lane: str) -> None:
    _mission(repo)
    _wp(repo, "WP02-x.md", lane)  # the id comes from the file name
    run_upgrade(repo)
    [seed] = _log(repo)
    assert (seed["wp_id"], seed["to_lane"], seed["evidence"]) == ("WP02", lane.lower(), None)


@pytest.mark.parametrize("lane", ["in_review", "review", "'[x]'", "3"])
def test_a_lane_outside_the_vocabulary_is_a_conflict_and_stops_the_file(
    repo: Path, lane: str
) -> None:
    _mission(repo)
    path = _wp(repo, "WP03.md", lane, wp_id="WP03")
    before = path.read_bytes()
    report = run_upgrade(repo)
    [conflict] = report.conflicts
    assert conflict.path == str(path) and "not a 3.0.0 lane" in (conflict.conflict or "")
    assert path.read_bytes() == before and _log(repo) == []


def test_a_wp_already_in_the_log_only_loses_the_key(repo: Path) -> None:
    _mission(repo)
    lines = legacy.legacy_status_lines(SLUG)  # WP01 moves through claimed/doing/for_review
    lines[0]["work_package_id"] = lines[0].pop("wp_id")
    legacy.write_status(repo, SLUG, lines)
    path = _wp(repo, "WP01.md", "doing", wp_id="WP01")
    plan = plan_upgrade(repo)
    [wp_finding] = [f for f in plan.steps[2].findings if f.path == str(path)]
    assert "already has the WP" in wp_finding.changes[0]
    run_upgrade(repo)
    assert "lane:" not in path.read_text(encoding="utf-8").split("---")[1]
    rows = _log(repo)
    assert [r["event_id"] for r in rows] == [x["event_id"] for x in lines]
    assert rows[0]["wp_id"] == "WP01"


def test_kill_after_the_seed_then_rerun_seeds_nothing_twice(repo: Path) -> None:
    _mission(repo)
    path = _wp(repo, "WP04.md", "approved", wp_id="WP04")
    before = path.read_bytes()
    run_upgrade(repo)
    [seed] = _log(repo)
    path.write_bytes(before)  # as if killed after the seed, before the WP file was rewritten
    os.utime(path, (MTIME + 60, MTIME + 60))
    report = run_upgrade(repo)
    assert report.status == "upgraded" and str(path) in report.steps[2].changed
    assert _log(repo) == [seed]
    assert "lane:" not in path.read_text(encoding="utf-8").split("---")[1]


def test_without_canonical_meta_the_lane_is_a_conflict(repo: Path) -> None:
    path = _wp(repo, "WP05.md", "doing", wp_id="WP05")
    report = run_upgrade(repo)
    assert "meta.json" in (report.conflicts[0].conflict or "")
    assert "lane: doing" in path.read_text(encoding="utf-8")


def test_no_wp_id_is_a_conflict(repo: Path) -> None:
    _mission(repo)
    path = _wp(repo, "notes.md", "doing")
    report = run_upgrade(repo)
    assert "work package id" in (report.conflicts[0].conflict or "")
    assert "lane: doing" in path.read_text(encoding="utf-8")


def test_a_conflicting_status_log_blocks_the_seed(repo: Path) -> None:
    _mission(repo)
    lines = legacy.legacy_status_lines(SLUG)
    lines[0]["mission_slug"] = "999-other"
    legacy.write_status(repo, SLUG, lines)
    path = _wp(repo, "WP06.md", "doing", wp_id="WP06")
    report = run_upgrade(repo)
    blocked = {c.path: c.conflict or "" for c in report.conflicts}
    assert "in conflict" in blocked[str(path)]
    assert "lane: doing" in path.read_text(encoding="utf-8")


def test_a_torn_last_status_line_blocks_the_seed(repo: Path) -> None:
    mission = _mission(repo)
    good = {
        "event_id": "01JQ0000000000000000000009",
        "mission_slug": SLUG,
        "wp_id": "WP01",
        "from_lane": None,
        "to_lane": "planned",
        "at": "2026-04-05T10:00:00+00:00",
        "actor": "claude",
        "force": False,
    }
    log = mission / "status.events.jsonl"
    log.write_text(json.dumps(good) + '\n{"event_id": "01JQ', encoding="utf-8")
    path = _wp(repo, "WP07.md", "doing", wp_id="WP07")
    report = run_upgrade(repo)
    assert "incomplete line" in (report.conflicts[0].conflict or "")
    assert "lane: doing" in path.read_text(encoding="utf-8")
    log.write_text(json.dumps(good), encoding="utf-8")  # complete, just no final newline
    run_upgrade(repo)
    rows = _log(repo)
    assert [r["wp_id"] for r in rows] == ["WP01", "WP07"]


def test_a_lane_spread_over_lines_is_left_for_a_human(repo: Path) -> None:
    _mission(repo)
    path = repo / "kitty-specs" / SLUG / "tasks" / "WP08.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nwork_package_id: WP08\nlane:\n  doing\n---\nbody\n", encoding="utf-8")
    report = run_upgrade(repo)
    assert "by hand" in (report.conflicts[0].conflict or "")
    assert _log(repo) == []
