"""`.kittify/config.yaml`: identity out of legacy positions, everything else kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sk_legacy_fixtures as legacy
import yaml

from spec_kitty_identity import load_project_identity, user_state_dir
from spec_kitty_migrate import UpgradeUnparseableError, run_upgrade

BUILD = "9b2f6a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


def _build_file(root: Path) -> Path:
    return root / ".kittify" / "state" / "build.json"


def test_legacy_config_moves_build_and_node_ids(repo: Path) -> None:
    path = legacy.write_legacy_config(repo)
    before = path.read_text()
    run_upgrade(repo)
    after = path.read_text()
    # every other line, comment included, is kept byte for byte
    assert after.splitlines() == [
        line for line in before.splitlines() if "node_id" not in line and "build_id" not in line
    ]
    ident = load_project_identity(repo)
    assert ident.project_uuid == legacy.PROJECT_UUID
    assert ident.build_id == BUILD
    assert ident.node_id == "d036a097a835"


def test_checkout_with_a_build_id_keeps_it(repo: Path) -> None:
    legacy.write_legacy_config(repo)
    own = _build_file(repo)
    own.parent.mkdir(parents=True)
    own.write_text(json.dumps({"build_id": "own-build"}))
    node = user_state_dir() / "node.json"
    node.parent.mkdir(parents=True)
    node.write_text(json.dumps({"node_id": "aaaaaaaaaaaa"}))
    report = run_upgrade(repo)
    notes = " ".join(n for s in report.steps for n in s.notes)
    assert "keeps own-build" in notes and "keeps aaaaaaaaaaaa" in notes
    ident = load_project_identity(repo)
    assert (ident.build_id, ident.node_id) == ("own-build", "aaaaaaaaaaaa")


def test_missing_build_id_is_minted(repo: Path) -> None:
    legacy.write_legacy_config(repo, build_id=None)
    report = run_upgrade(repo)
    assert _build_file(repo).is_file()
    assert str(_build_file(repo)) in report.steps[0].created
    assert load_project_identity(repo).build_id != BUILD


def test_unknown_project_keys_move_to_legacy_extras(repo: Path) -> None:
    path = legacy.write_legacy_config(repo, extra="  team_slug: acme\n")
    run_upgrade(repo)
    data = yaml.safe_load(path.read_text())
    assert data["legacy_extras"] == {"project": {"team_slug": "acme"}}
    assert set(data["project"]) == {"uuid", "slug"}
    assert data["merge"] == {"strategy": "squash"}
    load_project_identity(repo)


def test_flow_style_section_is_rewritten_by_section(repo: Path) -> None:
    path = repo / ".kittify" / "config.yaml"
    path.write_text(
        "# top comment\nvcs: {type: git}\n"
        f"project: {{uuid: {legacy.PROJECT_UUID}, slug: demo, node_id: 123456789012, "
        "team_slug: acme}\nlegacy_extras: {project: {old: 1}}\n"
    )
    report = run_upgrade(repo)
    text = path.read_text()
    assert text.startswith("# top comment\nvcs: {type: git}\n")
    data = yaml.safe_load(text)
    assert data["project"] == {"uuid": legacy.PROJECT_UUID, "slug": "demo"}
    assert data["legacy_extras"] == {"project": {"old": 1, "team_slug": "acme"}}
    assert load_project_identity(repo).node_id == "123456789012"
    assert any("comments inside it not kept" in n for n in report.steps[0].notes)


def test_unusable_uuid_is_a_conflict(repo: Path) -> None:
    path = repo / ".kittify" / "config.yaml"
    path.write_text("project:\n  uuid: nope\n  slug: demo\n  node_id: abc\n")
    report = run_upgrade(repo)
    assert path.read_text().endswith("node_id: abc\n")
    assert "project.uuid" in (report.conflicts[0].conflict or "")


def test_unparseable_config_refuses(repo: Path) -> None:
    legacy.write_meta(repo, "001-x", legacy.legacy_meta("001-x", "001"))
    path = repo / ".kittify" / "config.yaml"
    path.write_text("project: [unclosed\n")
    with pytest.raises(UpgradeUnparseableError) as caught:
        run_upgrade(repo)
    assert caught.value.details["file"] == str(path)
    assert "feature_slug" in (repo / "kitty-specs" / "001-x" / "meta.json").read_text()


def test_canonical_config_is_up_to_date(repo: Path) -> None:
    from spec_kitty_identity import init_project

    init_project(repo)
    before = (repo / ".kittify" / "config.yaml").read_bytes()
    assert run_upgrade(repo).status == "up_to_date"
    assert (repo / ".kittify" / "config.yaml").read_bytes() == before
