"""The four dossier event payloads (spec-kitty-events 3.0.0 shapes) and the parity arithmetic.

Payloads are plain dicts in the library's nested shape (every model there is extra=forbid)::

    MissionDossierArtifactIndexed      namespace, artifact_id, content_ref, indexed_at
    MissionDossierArtifactMissing      namespace, expected_identity, manifest_step, checked_at,
                                       remediation_hint?
    MissionDossierSnapshotComputed     namespace, snapshot_hash, artifact_count, anomaly_count,
                                       computed_at, algorithm
    MissionDossierParityDriftDetected  namespace, expected_hash, actual_hash, drift_kind,
                                       detected_at, artifact_ids_changed?, rebuild_hint?

``namespace`` is the LocalNamespaceTuple (the five NamespaceRef fields), ``artifact_id`` an
ArtifactIdentity (mission_type, path, artifact_class, wp_id?) whose ``path`` is the same
mission-relative path push-content sends as ``artifact_path`` (the SaaS matches a body to its
index entry by mission_slug, path and content hash), ``content_ref`` a ContentHashRef.

The snapshot (parity) hash is the sha256 of the artifacts' hex sha256s, sorted, concatenated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from ._index import artifact_class, wp_id_of
from ._namespace import HASH_ALGORITHM, NamespaceRef

__all__ = [
    "AGGREGATE_TYPE",
    "ARTIFACT_INDEXED",
    "ARTIFACT_MISSING",
    "DOSSIER_EVENT_TYPES",
    "PARITY_DRIFT_DETECTED",
    "SNAPSHOT_COMPUTED",
    "artifact_identity",
    "drift_kind",
    "drift_payload",
    "indexed_payload",
    "missing_payload",
    "snapshot_hash",
    "snapshot_payload",
]

AGGREGATE_TYPE = "MissionDossier"
ARTIFACT_INDEXED = "MissionDossierArtifactIndexed"
ARTIFACT_MISSING = "MissionDossierArtifactMissing"
SNAPSHOT_COMPUTED = "MissionDossierSnapshotComputed"
PARITY_DRIFT_DETECTED = "MissionDossierParityDriftDetected"
DOSSIER_EVENT_TYPES = (ARTIFACT_INDEXED, ARTIFACT_MISSING, SNAPSHOT_COMPUTED, PARITY_DRIFT_DETECTED)
REQUIRED_ALWAYS = "required_always"


def snapshot_hash(content_hashes: Iterable[str]) -> str:
    """sha256 over the sorted artifact hashes (hex), concatenated without separators."""
    return hashlib.sha256("".join(sorted(content_hashes)).encode("ascii")).hexdigest()


def artifact_identity(mission_type: str, artifact_path: str) -> dict[str, Any]:
    """The ArtifactIdentity of one mission artifact (wp_id for work package prompts)."""
    identity: dict[str, Any] = {
        "mission_type": mission_type,
        "path": artifact_path,
        "artifact_class": artifact_class(artifact_path),
    }
    wp_id = wp_id_of(artifact_path)
    if wp_id is not None:
        identity["wp_id"] = wp_id
    return identity


def indexed_payload(
    namespace: NamespaceRef,
    *,
    artifact_path: str,
    content_hash: str,
    size_bytes: int,
    indexed_at: str,
) -> dict[str, Any]:
    return {
        "namespace": namespace.to_dict(),
        "artifact_id": artifact_identity(namespace.mission_type, artifact_path),
        "content_ref": {
            "hash": content_hash,
            "algorithm": HASH_ALGORITHM,
            "size_bytes": size_bytes,
            "encoding": "utf-8",
        },
        "indexed_at": indexed_at,
    }


def missing_payload(
    namespace: NamespaceRef, *, artifact_path: str, checked_at: str, hint: str
) -> dict[str, Any]:
    return {
        "namespace": namespace.to_dict(),
        "expected_identity": artifact_identity(namespace.mission_type, artifact_path),
        "manifest_step": REQUIRED_ALWAYS,
        "checked_at": checked_at,
        "remediation_hint": hint,
    }


def snapshot_payload(
    namespace: NamespaceRef,
    *,
    parity_hash: str,
    artifact_count: int,
    anomaly_count: int,
    computed_at: str,
) -> dict[str, Any]:
    return {
        "namespace": namespace.to_dict(),
        "snapshot_hash": parity_hash,
        "artifact_count": artifact_count,
        "anomaly_count": anomaly_count,
        "computed_at": computed_at,
        "algorithm": HASH_ALGORITHM,
    }


def drift_kind(baseline: Mapping[str, str], actual: Mapping[str, str]) -> tuple[str, list[str]]:
    """The drift kind between two {artifact_path: content_hash} maps and the paths involved.

    Removals weigh most (the dossier lost something), then additions, then changed content.
    """
    removed = sorted(set(baseline) - set(actual))
    added = sorted(set(actual) - set(baseline))
    mutated = sorted(p for p in set(baseline) & set(actual) if baseline[p] != actual[p])
    if removed:
        return "artifact_removed", removed + added + mutated
    if added:
        return "artifact_added", added + mutated
    return "artifact_mutated", mutated


def drift_payload(
    namespace: NamespaceRef,
    *,
    expected_hash: str,
    actual_hash: str,
    kind: str,
    changed_paths: Iterable[str],
    detected_at: str,
) -> dict[str, Any]:
    changed = [artifact_identity(namespace.mission_type, p) for p in changed_paths]
    payload: dict[str, Any] = {
        "namespace": namespace.to_dict(),
        "expected_hash": expected_hash,
        "actual_hash": actual_hash,
        "drift_kind": kind,
        "detected_at": detected_at,
        "rebuild_hint": "spec-kitty sync now",
    }
    if changed:
        payload["artifact_ids_changed"] = changed
    return payload
