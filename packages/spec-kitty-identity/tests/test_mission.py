from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spec_kitty_identity import (
    LegacyStateError,
    MissionAmbiguousError,
    MissionIdentity,
    MissionMetaError,
    MissionNotFoundError,
    MissionSlugError,
    create_mission,
    list_missions,
    load_mission_meta,
    mission_identity_from_dict,
    resolve_mission,
    validate_mission_slug,
    write_mission_meta,
)
from spec_kitty_identity._mission import kebab_title

CANONICAL = {
    "created_at",
    "friendly_name",
    "mission_id",
    "mission_number",
    "mission_slug",
    "mission_type",
    "target_branch",
}


def _create(root: Path, title: str, **kw: str) -> Path:
    return create_mission(
        root, title=title, mission_type="software-dev", target_branch="main", **kw
    ).path


def test_create_writes_canonical_meta_only(tmp_path: Path) -> None:
    path = _create(tmp_path, "  User   Auth Flow! ")
    assert path.name == "001-user-auth-flow"
    raw = (path / "meta.json").read_text()
    assert raw.endswith("}\n") and raw.startswith('{\n  "created_at"')
    meta = json.loads(raw)
    assert set(meta) == CANONICAL
    assert meta["mission_number"] == 1 and meta["friendly_name"] == "User Auth Flow!"
    assert list(meta) == sorted(meta)
    ident = load_mission_meta(path / "meta.json")
    assert ident.created_at.tzinfo is not None


def test_numbers_increment_from_highest(tmp_path: Path) -> None:
    _create(tmp_path, "one")
    second = _create(tmp_path, "two", slug="custom-slug")
    assert second.name == "custom-slug"
    third = _create(tmp_path, "three")
    assert third.name == "003-three"
    assert [m.identity.mission_number for m in list_missions(tmp_path)] == [1, 3, 2]


def test_existing_folder_and_bad_slugs(tmp_path: Path) -> None:
    _create(tmp_path, "one", slug="taken")
    with pytest.raises(MissionSlugError):
        _create(tmp_path, "again", slug="taken")
    for bad in ("a/b", "..", "Upper", "with space", "-lead", ""):
        with pytest.raises(MissionSlugError):
            validate_mission_slug(bad)
    with pytest.raises(MissionSlugError):
        kebab_title("!!!")


def test_concurrent_creation_yields_distinct_numbers(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from spec_kitty_identity import create_mission;"
        "r = create_mission(Path(sys.argv[1]), title='m'+sys.argv[2], mission_type='software-dev',"
        " target_branch='main'); print(r.identity.mission_number)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path), str(i)], stdout=subprocess.PIPE, text=True
        )
        for i in range(6)
    ]
    numbers = sorted(int(p.communicate(timeout=60)[0]) for p in procs)
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert len(list_missions(tmp_path)) == 6


@pytest.mark.parametrize("legacy_key", ["feature_slug", "feature_number", "mission", "slug"])
def test_legacy_meta_refused_with_pointer_to_upgrade(tmp_path: Path, legacy_key: str) -> None:
    path = _create(tmp_path, "one")
    meta = json.loads((path / "meta.json").read_text())
    meta[legacy_key] = "001-one"
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(LegacyStateError) as info:
        load_mission_meta(path / "meta.json")
    assert info.value.details["key"] == legacy_key
    assert "spec-kitty upgrade" in info.value.message
    assert info.value.details["file"] == str(path / "meta.json")


def _valid() -> dict[str, object]:
    return {
        "created_at": "2026-01-01T00:00:00+00:00",
        "friendly_name": "x",
        "mission_id": "01KZYV3CT68WBACF0MJ323YF7X",
        "mission_number": 2,
        "mission_slug": "002-x",
        "mission_type": "software-dev",
        "target_branch": "main",
    }


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"mission_number": "002"}, "mission_number"),
        ({"mission_number": 0}, "mission_number"),
        ({"mission_number": True}, "mission_number"),
        ({"mission_id": "nope"}, "mission_id"),
        ({"created_at": "2026-01-01T00:00:00"}, "created_at"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"friendly_name": " "}, "friendly_name"),
        ({"mission_slug": "bad/slug"}, "mission_slug"),
        ({"mission_slug": " padded"}, "mission_slug"),
        ({"mission_slug": ".."}, "mission_slug"),
        ({"merged_wps": "WP01"}, "merged_wps"),
        ({"legacy_extras": []}, "legacy_extras"),
        ({"accepted_by": 3}, "accepted_by"),
    ],
)
def test_invalid_values(change: dict[str, object], key: str) -> None:
    with pytest.raises(MissionMetaError) as info:
        mission_identity_from_dict({**_valid(), **change})
    assert info.value.details["key"] == key


def test_missing_required_and_not_object() -> None:
    data = _valid()
    del data["target_branch"]
    with pytest.raises(MissionMetaError) as info:
        mission_identity_from_dict(data)
    assert info.value.details["missing"] == ["target_branch"]
    with pytest.raises(MissionMetaError):
        mission_identity_from_dict([1])


def test_optional_fields_round_trip(tmp_path: Path) -> None:
    ident = mission_identity_from_dict(_valid())
    accepted = ident.replace(
        accepted_at="2026-02-01T00:00:00+00:00",
        accepted_by="orchestrator",
        acceptance_mode="auto",
        merged_wps=("WP01",),
        legacy_extras={"old": 1},
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    folder = tmp_path / "002-x"
    write_mission_meta(folder / "meta.json", accepted)
    assert load_mission_meta(folder / "meta.json") == accepted
    assert isinstance(accepted, MissionIdentity)


def test_slug_must_match_folder_and_json_errors(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps(_valid()))
    with pytest.raises(MissionMetaError):
        load_mission_meta(folder / "meta.json")
    (folder / "meta.json").write_text("{")
    with pytest.raises(MissionMetaError) as info:
        load_mission_meta(folder / "meta.json")
    assert "parse_error" in info.value.details
    with pytest.raises(MissionMetaError):
        load_mission_meta(tmp_path / "missing" / "meta.json")


def test_resolve_by_slug_id_and_prefix(tmp_path: Path) -> None:
    a = create_mission(tmp_path, title="alpha", mission_type="research", target_branch="main")
    b = create_mission(tmp_path, title="beta", mission_type="research", target_branch="main")
    assert resolve_mission(tmp_path, "001-alpha").identity == a.identity
    assert resolve_mission(tmp_path, b.identity.mission_id.lower()).path == b.path
    unique = next(n for n in range(4, 27) if a.identity.mission_id[:n] != b.identity.mission_id[:n])
    assert resolve_mission(tmp_path, a.identity.mission_id[:unique]).path == a.path
    for bad in ("nope", "../x", "", "a/b"):
        with pytest.raises(MissionNotFoundError):
            resolve_mission(tmp_path, bad)


def test_ambiguous_prefix(tmp_path: Path) -> None:
    a = create_mission(tmp_path, title="alpha", mission_type="research", target_branch="main")
    b = create_mission(tmp_path, title="beta", mission_type="research", target_branch="main")
    common = 0
    while a.identity.mission_id[common] == b.identity.mission_id[common]:
        common += 1
    assert common >= 4  # ULIDs minted in the same second share the time prefix
    with pytest.raises(MissionAmbiguousError) as info:
        resolve_mission(tmp_path, a.identity.mission_id[:4])
    assert info.value.details["candidates"] == ["001-alpha", "002-beta"]


def test_existing_slug_of_a_3x_release_loads_unrenamed(tmp_path: Path) -> None:
    """3.1/3.2 wrote `<kebab>-<mid8>` (upper-case ULID part): the slug is the mission's identity."""
    from spec_kitty_identity import load_mission_meta, validate_mission_slug
    from spec_kitty_identity.errors import MissionSlugError

    folder = tmp_path / "kitty-specs" / "checkout-flow-01M94VNM"
    folder.mkdir(parents=True)
    meta = {
        "created_at": "2026-01-01T00:00:00+00:00",
        "friendly_name": "checkout flow",
        "mission_id": "01M94VNMXXQ0A4Y5YH3R9N4J2K",
        "mission_number": 1,
        "mission_slug": "checkout-flow-01M94VNM",
        "mission_type": "software-dev",
        "target_branch": "main",
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    assert load_mission_meta(folder / "meta.json").mission_slug == "checkout-flow-01M94VNM"
    with pytest.raises(MissionSlugError):  # new missions keep the strict rule
        validate_mission_slug("checkout-flow-01M94VNM")
