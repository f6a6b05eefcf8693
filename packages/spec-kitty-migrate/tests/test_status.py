"""status.events.jsonl lines and WP frontmatter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sk_legacy_fixtures as legacy
import yaml

from spec_kitty_identity import init_project, load_mission_meta
from spec_kitty_migrate import UpgradeUnparseableError, run_upgrade

SLUG = "064-complete-mission-identity-cutover"


def test_status_lines_rewritten_in_order(repo: Path) -> None:
    meta = legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG))
    lines = legacy.legacy_status_lines(SLUG)
    lines.append(
        {
            "event_id": "01JQ0000000000000000000005",
            "work_package_id": "WP02",
            "from_lane": "planned",
            "to_lane": "claimed",
            "at": "2026-04-05T11:00:00+00:00",
            "actor": "codex",
            "force": False,
            "mission_slug": SLUG,
        }
    )
    path = legacy.write_status(repo, SLUG, lines)
    original = path.read_text().splitlines()
    with path.open("a") as handle:
        handle.write("\n")  # a blank line is kept
    run_upgrade(repo)
    mission_id = load_mission_meta(meta).mission_id
    new_lines = path.read_text().splitlines()
    assert new_lines[-1] == ""
    rows = [json.loads(x) for x in new_lines if x]
    assert [r["event_id"] for r in rows] == [x["event_id"] for x in lines]
    assert new_lines[2] == original[2]  # the annotation line, byte for byte
    assert rows[1]["to_lane"] == "in_progress" and rows[3]["from_lane"] == "in_progress"
    assert rows[4]["wp_id"] == "WP02" and "work_package_id" not in rows[4]
    for row in rows:
        assert "feature_slug" not in row
        if "to_lane" in row:
            assert row["mission_slug"] == SLUG and row["mission_id"] == mission_id
    for line in new_lines[:2]:
        assert list(json.loads(line)) == sorted(json.loads(line))


def test_conflicting_status_line_blocks_the_file(repo: Path) -> None:
    lines = legacy.legacy_status_lines(SLUG)
    lines[0]["mission_slug"] = "999-other"
    path = legacy.write_status(repo, SLUG, lines)
    before = path.read_bytes()
    report = run_upgrade(repo)
    assert path.read_bytes() == before
    assert "line 1" in (report.conflicts[0].conflict or "")


@pytest.mark.parametrize("bad", ["{broken", "[1]"])
def test_unparseable_status_line_refuses(repo: Path, bad: str) -> None:
    path = legacy.write_status(repo, SLUG, legacy.legacy_status_lines(SLUG))
    with path.open("a") as handle:
        handle.write(bad + "\n")
    with pytest.raises(UpgradeUnparseableError) as caught:
        run_upgrade(repo)
    assert caught.value.details == {**caught.value.details, "file": str(path), "line": 5}


def test_canonical_status_file_with_the_word_in_prose_is_untouched(repo: Path) -> None:
    line = {
        "event_id": "01JQ0000000000000000000009",
        "mission_slug": SLUG,
        "wp_id": "WP01",
        "from_lane": "planned",
        "to_lane": "claimed",
        "reason": "no feature_slug here",
    }
    path = legacy.write_status(repo, SLUG, [line])
    before = path.read_bytes()
    init_project(repo)  # identity present: only the status file is in question
    assert run_upgrade(repo).status == "up_to_date"
    assert path.read_bytes() == before


def test_wp_frontmatter_rewritten_body_untouched(repo: Path) -> None:
    legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG))
    path = legacy.write_wp(repo, SLUG)
    before = path.read_text()
    run_upgrade(repo)
    text = path.read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["mission_slug"] == SLUG and "lane" not in front
    assert "feature_slug" not in front
    assert text.split("---\n", 2)[2] == before.split("---\n", 2)[2]
    expected = before.replace(f"feature_slug: {SLUG}\n", f"mission_slug: {SLUG}\n", 1)
    assert text == expected.replace("lane: doing  # legacy lane\n", "", 1)


def test_wp_frontmatter_with_both_slugs(repo: Path) -> None:
    legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG))
    path = repo / "kitty-specs" / SLUG / "tasks" / "WP02.md"
    path.parent.mkdir(parents=True)
    path.write_text(f"---\nmission_slug: {SLUG}\nfeature_slug: {SLUG}\nlane: 'doing'\n---\nbody\n")
    run_upgrade(repo)
    assert path.read_text() == f"---\nmission_slug: {SLUG}\n---\nbody\n"
    other = repo / "kitty-specs" / SLUG / "tasks" / "WP03.md"
    other.write_text(f"---\nmission_slug: {SLUG}\nfeature_slug: 001-x\n---\nbody\n")
    report = run_upgrade(repo)
    assert "disagrees" in (report.conflicts[0].conflict or "")


@pytest.mark.parametrize(
    "text",
    [
        "no frontmatter, but feature_slug in prose\n",
        "---\nfeature_slug: [x\n",  # never closed: not frontmatter
        "--- \nfeature_slug: x\n---\n",
        "---\n- feature_slug\n---\n",
        "---\ntitle: doing things\n---\n",
    ],
)
def test_files_without_legacy_frontmatter_are_skipped(repo: Path, text: str) -> None:
    path = repo / "kitty-specs" / SLUG / "tasks" / "WP09.md"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    init_project(repo)  # identity present: only the WP file is in question
    assert run_upgrade(repo).status == "up_to_date"
    assert path.read_text() == text


def test_frontmatter_layouts(repo: Path) -> None:
    nested = repo / "kitty-specs" / SLUG / "tasks" / "WP04.md"
    nested.parent.mkdir(parents=True)
    nested.write_text("---\nfeature_slug:\n  - a\n  - b\n---\nbody\n")
    quoted = repo / "kitty-specs" / SLUG / "tasks" / "WP05.md"
    quoted.write_text('---\n"feature_slug": x\n---\nbody\n')
    report = run_upgrade(repo)
    assert nested.read_text() == "---\nmission_slug:\n  - a\n  - b\n---\nbody\n"
    assert quoted.read_text() == '---\n"feature_slug": x\n---\nbody\n'
    assert "by hand" in (report.conflicts[0].conflict or "")


def test_unparseable_frontmatter_refuses(repo: Path) -> None:
    path = repo / "kitty-specs" / SLUG / "tasks" / "WP05.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nfeature_slug: [unclosed\n---\nbody\n")
    with pytest.raises(UpgradeUnparseableError):
        run_upgrade(repo)
