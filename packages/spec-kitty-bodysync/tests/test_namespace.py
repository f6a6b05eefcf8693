from __future__ import annotations

import hashlib

import pytest

from spec_kitty_bodysync import (
    ArtifactPathError,
    NamespaceError,
    NamespaceRef,
    content_hash,
    manifest_version_for,
    validate_artifact_path,
)

FIELDS = ("project_uuid", "mission_slug", "target_branch", "mission_type", "manifest_version")
GOOD = dict(zip(FIELDS, ("p-uuid", "001-x", "main", "software-dev", "1"), strict=True))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", ["", "   ", "\t\n", None, 7])
def test_every_namespace_field_must_be_a_non_blank_string(field: str, bad: object) -> None:
    with pytest.raises(NamespaceError) as err:
        NamespaceRef(**{**GOOD, field: bad})  # type: ignore[arg-type]
    assert err.value.code == "BODY_NAMESPACE_INVALID"
    assert err.value.details["field"] == field
    assert err.value.operator_fixable is True


def test_namespace_is_frozen_and_round_trips() -> None:
    ref = NamespaceRef(**GOOD)
    assert ref.to_dict() == GOOD
    assert list(ref.to_dict()) == list(FIELDS)
    assert NamespaceRef.from_dict(dict(GOOD)) == ref
    with pytest.raises(AttributeError):
        ref.mission_slug = "other"  # type: ignore[misc]


def test_namespace_from_dict_refuses_unknown_and_missing_keys() -> None:
    # A pre-cutover key is just an unknown key: named, and pointed at `spec-kitty upgrade`.
    with pytest.raises(NamespaceError) as err:
        NamespaceRef.from_dict({**GOOD, "feature_slug": "001-x"})
    assert err.value.details == {"field": "feature_slug", "hint": "spec-kitty upgrade"}
    missing = {k: v for k, v in GOOD.items() if k != "mission_type"}
    with pytest.raises(NamespaceError, match="mission_type"):
        NamespaceRef.from_dict(missing)
    with pytest.raises(NamespaceError):
        NamespaceRef.from_dict(["not", "a", "dict"])


def test_manifest_version_defaults_to_one() -> None:
    assert manifest_version_for("software-dev") == "1"
    assert manifest_version_for("research") == "1"
    assert manifest_version_for("my-custom-mission") == "1"


def test_content_hash_is_bare_sha256_hex_of_utf8() -> None:
    body = "# Spec\r\nünïcode\n"
    assert content_hash(body) == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert len(content_hash(body)) == 64
    assert not content_hash(body).startswith("sha256:")


@pytest.mark.parametrize(
    "path", ["spec.md", "tasks/WP01-login.md", "research/deep/notes.csv", "meta.json"]
)
def test_mission_relative_paths_are_accepted(path: str) -> None:
    assert validate_artifact_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        " ",
        "../spec.md",
        "tasks/../../etc/passwd",
        "/abs/spec.md",
        "C:/spec.md",
        "tasks\\WP01.md",
        "tasks//WP01.md",
        "./spec.md",
        "tasks/",
        "spec\n.md",
        None,
    ],
)
def test_unsafe_artifact_paths_are_refused(path: object) -> None:
    with pytest.raises(ArtifactPathError) as err:
        validate_artifact_path(path)
    assert err.value.code == "BODY_ARTIFACT_PATH_INVALID"
