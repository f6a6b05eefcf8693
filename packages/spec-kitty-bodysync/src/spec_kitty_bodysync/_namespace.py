"""NamespaceRef: where a mission artifact body belongs on the SaaS, in canonical mission terms."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from typing import Any

from .errors import ArtifactPathError, NamespaceError

__all__ = [
    "DEFAULT_MANIFEST_VERSION",
    "HASH_ALGORITHM",
    "MAX_BODY_BYTES",
    "NAMESPACE_FIELDS",
    "NamespaceRef",
    "content_hash",
    "manifest_version_for",
    "validate_artifact_path",
]

NAMESPACE_FIELDS = (
    "project_uuid",
    "mission_slug",
    "target_branch",
    "mission_type",
    "manifest_version",
)
HASH_ALGORITHM = "sha256"
# The SaaS push-content endpoint refuses bodies above 512 KiB (UTF-8 bytes of content_body).
MAX_BODY_BYTES = 524_288
DEFAULT_MANIFEST_VERSION = "1"
# Mission types whose expected-artifact manifest is not at version "1". Every built-in mission
# type (software-dev, research, documentation, ...) and every custom one is at "1" today; a
# mission type that changes its manifest adds a line here, so that the SaaS indexes its bodies
# under the new manifest.
_MANIFEST_VERSIONS: dict[str, str] = {}

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, kw_only=True)
class NamespaceRef:
    """The five namespace terms of a body upload; every one a non-blank string."""

    project_uuid: str
    mission_slug: str
    target_branch: str
    mission_type: str
    manifest_version: str

    def __post_init__(self) -> None:
        for name in NAMESPACE_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise NamespaceError(
                    f"namespace field `{name}` must be a non-blank string, got {value!r}",
                    details={"field": name, "value": value if isinstance(value, str) else None},
                )

    def to_dict(self) -> dict[str, str]:
        """The five namespace keys, as sent on the wire."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> NamespaceRef:
        """Build from exactly the five canonical keys; any other key is refused by name."""
        if not isinstance(data, dict):
            raise NamespaceError("a namespace must be a JSON object", details={"value": None})
        unknown = sorted(str(k) for k in data if k not in NAMESPACE_FIELDS)
        if unknown:
            raise NamespaceError(
                f"unknown namespace key `{unknown[0]}`; run `spec-kitty upgrade` if this state "
                "predates the mission identity cutover",
                details={"field": unknown[0], "hint": "spec-kitty upgrade"},
            )
        missing = [k for k in NAMESPACE_FIELDS if k not in data]
        if missing:
            raise NamespaceError(
                f"namespace field `{missing[0]}` is missing", details={"field": missing[0]}
            )
        return cls(**{k: data[k] for k in NAMESPACE_FIELDS})


def manifest_version_for(mission_type: str) -> str:
    """The expected-artifact manifest version of a mission type ("1" unless listed otherwise)."""
    return _MANIFEST_VERSIONS.get(mission_type, DEFAULT_MANIFEST_VERSION)


def content_hash(content_body: str) -> str:
    """The bare 64-hex sha256 of the body's UTF-8 bytes (the algorithm travels separately)."""
    return hashlib.sha256(content_body.encode("utf-8")).hexdigest()


def validate_artifact_path(artifact_path: object) -> str:
    """Accept only a mission-dir-relative POSIX path: no "..", no root, no drive, no backslash."""
    if not isinstance(artifact_path, str) or not artifact_path.strip():
        raise ArtifactPathError(
            "artifact_path must be a non-blank string",
            details={"artifact_path": artifact_path if isinstance(artifact_path, str) else None},
        )
    parts = artifact_path.split("/")
    problem = None
    if artifact_path.startswith("/") or _DRIVE.match(artifact_path):
        problem = "it is absolute; use a path relative to the mission folder"
    elif "\\" in artifact_path:
        problem = "it contains a backslash; use forward slashes"
    elif ".." in parts:
        problem = "it contains a `..` segment"
    elif any(p in {"", "."} for p in parts):
        problem = "it contains an empty or `.` segment"
    elif any(ch in artifact_path for ch in "\x00\r\n"):
        problem = "it contains a control character"
    if problem is not None:
        raise ArtifactPathError(
            f"invalid artifact_path {artifact_path!r}: {problem}",
            details={"artifact_path": artifact_path},
        )
    return artifact_path
