"""The dossier index (stat cache, racy rule, unstable files) and the dossier payloads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from spec_kitty_events.conformance import validate_event

from spec_kitty_bodysync import (
    ARTIFACT_CLASSES,
    NamespaceRef,
    artifact_class,
    collect_artifacts,
    drift_kind,
    drift_payload,
    index_mission,
    indexed_payload,
    missing_payload,
    snapshot_hash,
    snapshot_payload,
)
from spec_kitty_bodysync import _index as index_module

OLD = 1_600_000_000


def _tree(root: Path) -> Path:
    files: dict[str, bytes] = {
        "meta.json": b'{"mission_slug": "001-x"}\n',
        "spec.md": b"# Spec\r\n",
        "plan.md": b"# Plan\n",
        "tasks/WP01-login.md": b"---\nwork_package_id: WP01\n---\n",
        "research/notes.csv": b"a,b\n",
        "checklists/ready.md": b"- [ ] ok\n",
        "contracts/api.yaml": b"openapi: 3\n",
        "data-model.md": b"# Model\n",
        "latin1.md": b"caf\xe9\n",  # not an artifact name: ignored
        "research/bad.md": b"caf\xe9\n",
        "research/blank.md": b"  \n",
        "tasks/image.md.png": b"x",
        "status.json": b"{}",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (OLD, OLD))
    return root


def test_indexes_exactly_what_body_upload_selects(tmp_path: Path) -> None:
    root = _tree(tmp_path / "m")
    result = index_mission(root)
    collected = collect_artifacts(root)
    assert [a.artifact_path for a in result.artifacts] == [
        a.artifact_path for a in collected.artifacts
    ]
    assert {(s.artifact_path, s.reason) for s in result.skipped} == {
        (s.artifact_path, s.reason) for s in collected.skipped
    }
    assert {s.reason for s in result.skipped} == {"not_utf8", "empty"}
    by_path = result.by_path()
    spec = by_path["spec.md"]
    assert spec.content_hash == hashlib.sha256(b"# Spec\r\n").hexdigest()
    assert spec.size_bytes == 8 and spec.artifact_class == "input"
    assert by_path["tasks/WP01-login.md"].wp_id == "WP01"
    assert by_path["spec.md"].wp_id is None
    assert result.hashed == len(result.artifacts) + 2


@pytest.mark.parametrize(
    ("path", "cls"),
    [
        ("spec.md", "input"),
        ("plan.md", "workflow"),
        ("tasks.md", "workflow"),
        ("tasks/WP01.md", "workflow"),
        ("meta.json", "runtime"),
        ("research.md", "evidence"),
        ("research/a/b.csv", "evidence"),
        ("checklists/x.md", "policy"),
        ("contracts/api.json", "output"),
        ("quickstart.md", "output"),
    ],
)
def test_artifact_classes(path: str, cls: str) -> None:
    assert artifact_class(path) == cls and cls in ARTIFACT_CLASSES


def test_unchanged_tree_hashes_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path / "m")
    first = index_mission(root)
    again = index_mission(root, cache=first.by_path())
    assert again.hashed == 2  # only the skipped files (never cached) are read again
    assert again.artifacts == first.artifacts


def test_a_changed_file_is_hashed_again(tmp_path: Path) -> None:
    root = _tree(tmp_path / "m")
    first = index_mission(root)
    (root / "plan.md").write_bytes(b"# Plan v2\n")
    os.utime(root / "plan.md", (OLD + 5, OLD + 5))
    again = index_mission(root, cache=first.by_path())
    assert again.hashed == 3
    assert again.by_path()["plan.md"].content_hash == hashlib.sha256(b"# Plan v2\n").hexdigest()


def test_racy_entries_are_not_trusted(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "spec.md").write_text("# fresh\n")  # mtime = now: hashed in the same tick
    first = index_mission(root)
    assert index_mission(root, cache=first.by_path()).hashed == 1
    os.utime(root / "spec.md", (OLD, OLD))
    second = index_mission(root, cache=first.by_path())
    assert second.hashed == 1  # the stat changed
    assert index_mission(root, cache=second.by_path()).hashed == 0


def test_a_file_changing_while_read_is_read_again_or_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "spec.md").write_text("# spec\n")
    real = index_module.stat_key
    calls = {"n": 0}

    def moving(st: Any) -> tuple[int, int, int, int]:
        calls["n"] += 1
        key = real(st)
        return (key[0] + calls["n"], *key[1:])  # every fstat differs: never holds still

    monkeypatch.setattr(index_module, "stat_key", moving)
    result = index_mission(root)
    assert [(s.artifact_path, s.reason) for s in result.skipped] == [("spec.md", "changing")]
    assert result.changed_during_read == ("spec.md",)
    calls["n"] = 0

    def settles(st: Any) -> tuple[int, int, int, int]:
        calls["n"] += 1
        key = real(st)
        return key if calls["n"] > 2 else (key[0] + calls["n"], *key[1:])

    monkeypatch.setattr(index_module, "stat_key", settles)
    result = index_mission(root)
    assert [a.artifact_path for a in result.artifacts] == ["spec.md"]
    assert result.changed_during_read == ("spec.md",)


def test_unreadable_and_too_large_are_skipped_not_raised(tmp_path: Path) -> None:
    root = tmp_path / "m"
    (root / "research").mkdir(parents=True)
    (root / "research" / "big.md").write_text("x" * 100)
    (root / "spec.md").symlink_to(root / "research" / "big.md")
    (root / "plan.md").mkdir()  # a folder named like an artifact: not a file, not listed
    result = index_mission(root, max_bytes=10)
    reasons = {s.artifact_path: s.reason for s in result.skipped}
    assert reasons == {"research/big.md": "too_large", "spec.md": "symlink"}
    assert result.artifacts == ()


NS = NamespaceRef(
    project_uuid="a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    mission_slug="001-checkout",
    target_branch="main",
    mission_type="software-dev",
    manifest_version="1",
)
AT = "2026-01-15T10:00:00+00:00"


def test_payloads_are_strictly_valid_3_0_0() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    payloads = {
        "MissionDossierArtifactIndexed": indexed_payload(
            NS, artifact_path="tasks/WP01-a.md", content_hash=digest, size_bytes=1, indexed_at=AT
        ),
        "MissionDossierArtifactMissing": missing_payload(
            NS, artifact_path="plan.md", checked_at=AT, hint="write plan.md"
        ),
        "MissionDossierSnapshotComputed": snapshot_payload(
            NS, parity_hash=digest, artifact_count=3, anomaly_count=1, computed_at=AT
        ),
        "MissionDossierParityDriftDetected": drift_payload(
            NS,
            expected_hash=digest,
            actual_hash=snapshot_hash([digest]),
            kind="artifact_removed",
            changed_paths=["plan.md"],
            detected_at=AT,
        ),
    }
    for event_type, payload in payloads.items():
        assert validate_event(payload, event_type, strict=True).valid, event_type
    assert payloads["MissionDossierArtifactIndexed"]["artifact_id"]["wp_id"] == "WP01"


def test_snapshot_hash_is_sha256_of_the_sorted_hashes() -> None:
    a, b = "a" * 64, "b" * 64
    assert snapshot_hash([b, a]) == hashlib.sha256((a + b).encode()).hexdigest()
    assert snapshot_hash([a, b]) == snapshot_hash([b, a])
    assert snapshot_hash([]) == hashlib.sha256(b"").hexdigest()


def test_drift_kinds() -> None:
    base = {"spec.md": "1", "plan.md": "2"}
    assert drift_kind(base, {"spec.md": "1"}) == ("artifact_removed", ["plan.md"])
    assert drift_kind(base, {**base, "tasks.md": "3"}) == ("artifact_added", ["tasks.md"])
    assert drift_kind(base, {"spec.md": "9", "plan.md": "2"}) == ("artifact_mutated", ["spec.md"])
    kind, paths = drift_kind(base, {"spec.md": "9", "tasks.md": "3"})
    assert kind == "artifact_removed" and paths == ["plan.md", "tasks.md", "spec.md"]
