"""meta.json: legacy keys -> canonical MissionIdentity, conflicts, derivations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sk_legacy_fixtures as legacy

from spec_kitty_identity import load_mission_meta
from spec_kitty_migrate import UpgradeUnparseableError, plan_upgrade, run_upgrade

SLUG = "064-complete-mission-identity-cutover"


def _meta_step(root: Path):  # type: ignore[no-untyped-def]
    return next(s for s in plan_upgrade(root).steps if s.step == "meta-json")


def test_legacy_meta_is_rewritten_and_loads(repo: Path) -> None:
    path = legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG, mission_key="my-custom"))
    report = run_upgrade(repo)
    assert report.status == "upgraded"
    ident = load_mission_meta(path)
    assert ident.mission_slug == SLUG
    assert ident.mission_number == 64
    assert ident.mission_type == "software-dev"
    assert ident.friendly_name == "Complete mission identity cutover"
    assert ident.created_at.isoformat() == "2026-04-05T10:11:12+00:00"
    assert ident.legacy_extras == {
        "vcs": "git",
        "purpose_tldr": "Rename everything",
        "mission_key": "my-custom",
    }
    raw = json.loads(path.read_text(encoding="utf-8"))
    for key in ("feature_slug", "feature_number", "mission", "slug"):
        assert key not in raw


def test_dry_run_mission_id_is_the_one_written(repo: Path) -> None:
    path = legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG))
    before = path.read_bytes()
    planned = run_upgrade(repo, dry_run=True)
    assert planned.status == "planned" and path.read_bytes() == before
    minted = [d for f in planned.plan.steps[1].findings for d in f.derived if "mission_id" in d]
    run_upgrade(repo)
    assert load_mission_meta(path).mission_id in minted[0]


def test_partial_cutover_mixed_keys(repo: Path) -> None:
    data = legacy.legacy_meta(
        SLUG, mission_slug=SLUG, mission_number="064", mission_type="software-dev"
    )
    data["accepted_at"] = "2026-04-06T00:00:00+00:00"
    data["mission_id"] = "01JQ7Z8Y9X0W1V2T3S4R5Q6P7N"
    path = legacy.write_meta(repo, SLUG, data)
    run_upgrade(repo)
    ident = load_mission_meta(path)
    assert ident.mission_number == 64
    assert ident.mission_id == "01JQ7Z8Y9X0W1V2T3S4R5Q6P7N"
    assert ident.accepted_at == "2026-04-06T00:00:00+00:00"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"mission_slug": "065-other"}, "disagree"),
        ({"mission_number": 65}, "disagree"),
        ({"mission_type": "research"}, "disagree"),
        ({"feature_number": "abc"}, "not a number"),
        ({"feature_number": "000"}, ">= 1"),
        ({"created_at": "yesterday"}, "ISO-8601"),
        ({"legacy_extras": {"vcs": "hg"}}, "legacy_extras"),
        ({"legacy_extras": "nope"}, "legacy_extras"),
        ({"mission_id": "not-a-ulid"}, "ULID"),
    ],
)
def test_conflicts_stop_that_file_only(repo: Path, extra: dict[str, object], needle: str) -> None:
    bad = legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG, **extra))
    good = legacy.write_meta(repo, "065-other", legacy.legacy_meta("065-other", "065"))
    before = bad.read_bytes()
    report = run_upgrade(repo)
    assert bad.read_bytes() == before
    assert load_mission_meta(good).mission_number == 65
    assert len(report.conflicts) == 1 and needle in (report.conflicts[0].conflict or "")
    again = run_upgrade(repo)
    assert again.status == "up_to_date" and len(again.conflicts) == 1


def test_slug_differs_from_folder_is_a_conflict(repo: Path) -> None:
    legacy.write_meta(repo, SLUG, legacy.legacy_meta("064-elsewhere"))
    [finding] = _meta_step(repo).findings
    assert finding.blocked and "differs from folder" in (finding.conflict or "")


def test_missing_fields_are_derived_and_reported(repo: Path) -> None:
    common = repo / ".git"
    (common / "refs" / "remotes" / "origin").mkdir(parents=True)
    (common / "refs" / "remotes" / "origin" / "HEAD").write_text("ref: refs/remotes/origin/trunk\n")
    path = legacy.write_meta(repo, "007-bare-mission", {"feature_slug": "007-bare-mission"})
    os.utime(path, (1_700_000_000, 1_700_000_000))
    [finding] = _meta_step(repo).findings
    derived = " | ".join(finding.derived)
    for needle in (
        "friendly_name",
        "target_branch = 'trunk'",
        "created_at",
        "mission_number = 7",
        "mission_type",
    ):
        assert needle in derived
    run_upgrade(repo)
    ident = load_mission_meta(path)
    assert ident.friendly_name == "bare mission"
    assert ident.target_branch == "trunk"
    assert ident.mission_number == 7
    assert ident.created_at.timestamp() == 1_700_000_000
    assert ident.created_at.utcoffset() is not None


def test_numbers_assigned_after_the_highest(repo: Path) -> None:
    legacy.write_meta(repo, "012-numbered", legacy.legacy_meta("012-numbered", "012"))
    a = legacy.write_meta(repo, "alpha", {"feature_slug": "alpha", "mission_number": None})
    b = legacy.write_meta(repo, "beta", {"slug": "beta", "created_at": "2026-01-01T00:00:00"})
    report = run_upgrade(repo)
    assert load_mission_meta(a).mission_number == 13
    ident_b = load_mission_meta(b)
    assert ident_b.mission_number == 14
    assert ident_b.created_at.isoformat() == "2026-01-01T00:00:00+00:00"
    notes = " ".join(n for s in report.steps for n in s.notes)
    assert "read as UTC" in notes


def test_invalid_optional_canonical_value_moves_to_extras(repo: Path) -> None:
    path = legacy.write_meta(
        repo, SLUG, legacy.legacy_meta(SLUG, accepted_by=42, merged_wps="WP01")
    )
    run_upgrade(repo)
    ident = load_mission_meta(path)
    assert ident.accepted_by is None
    assert ident.legacy_extras is not None
    assert ident.legacy_extras["accepted_by"] == 42
    assert ident.legacy_extras["merged_wps"] == "WP01"


def test_canonical_meta_is_left_alone(repo: Path) -> None:
    from spec_kitty_identity import create_mission, init_project

    init_project(repo)  # a canonical project has its identity
    ref = create_mission(repo, title="Canonical one", mission_type="research", target_branch="main")
    before = ref.meta_path.read_bytes()
    assert run_upgrade(repo).status == "up_to_date"
    assert ref.meta_path.read_bytes() == before


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", b"\xff\xfe"])
def test_unparseable_meta_refuses_and_changes_nothing(repo: Path, text: object) -> None:
    good = legacy.write_meta(repo, SLUG, legacy.legacy_meta(SLUG))
    bad = repo / "kitty-specs" / "065-bad" / "meta.json"
    bad.parent.mkdir(parents=True)
    if isinstance(text, bytes):
        bad.write_bytes(text)
    else:
        bad.write_text(text)
    before = good.read_bytes()
    with pytest.raises(UpgradeUnparseableError) as caught:
        run_upgrade(repo)
    assert caught.value.details["file"] == str(bad)
    assert good.read_bytes() == before
    assert not (repo / ".kittify" / "state" / "upgrade-journal.json").exists()
