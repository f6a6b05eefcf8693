"""Which files of a mission folder are artifact bodies, and reading them safely.

Artifacts (paths relative to the mission folder, POSIX separators):
  meta.json, spec.md, plan.md, tasks.md, research.md, quickstart.md, data-model.md;
  tasks/*.md (work package prompts); everything below research/, contracts/, checklists/.
Kept only with an extension in .md .json .yaml .yml .csv, when the bytes are UTF-8, not blank,
and at most ``max_bytes`` long. Hidden entries, symlinks and every other file (status.json,
status.events.jsonl, ...) are not artifacts. Each artifact-shaped file that cannot be uploaded
is reported with a reason instead of vanishing silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ._namespace import MAX_BODY_BYTES

__all__ = [
    "ARTIFACT_DIRS",
    "ARTIFACT_FILES",
    "EXTENSIONS",
    "Artifact",
    "CollectedArtifacts",
    "SkippedArtifact",
    "candidates",
    "check_bytes",
    "collect_artifacts",
    "read_artifact",
]

ARTIFACT_FILES = frozenset(
    {"meta.json", "spec.md", "plan.md", "tasks.md", "research.md", "quickstart.md", "data-model.md"}
)
ARTIFACT_DIRS = ("checklists", "contracts", "research")
EXTENSIONS = frozenset({".md", ".json", ".yaml", ".yml", ".csv"})


class Artifact(NamedTuple):
    artifact_path: str
    content: str


class SkippedArtifact(NamedTuple):
    artifact_path: str
    reason: str  # unsupported_extension | symlink | too_large | not_utf8 | empty | unreadable
    detail: str


@dataclass(frozen=True, kw_only=True)
class CollectedArtifacts:
    """The artifacts to upload (sorted by path) and the ones skipped, with reasons."""

    artifacts: tuple[Artifact, ...]
    skipped: tuple[SkippedArtifact, ...]


def _candidates(mission_dir: Path) -> list[Path]:
    found = [mission_dir / name for name in sorted(ARTIFACT_FILES)]
    tasks = mission_dir / "tasks"
    if tasks.is_dir() and not tasks.is_symlink():
        found.extend(sorted(p for p in tasks.iterdir() if p.suffix == ".md"))
    for name in ARTIFACT_DIRS:
        folder = mission_dir / name
        if folder.is_dir() and not folder.is_symlink():
            found.extend(_walk(folder))
    return [p for p in found if p.is_symlink() or p.is_file()]


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and not child.is_symlink():
            out.extend(_walk(child))
        else:
            out.append(child)
    return out


def read_artifact(
    path: Path, rel: str, *, max_bytes: int = MAX_BODY_BYTES
) -> tuple[bytes, str] | SkippedArtifact:
    """The raw bytes and text of one candidate, or why it is not an uploadable artifact."""
    if path.is_symlink():
        return SkippedArtifact(rel, "symlink", "symlinks are not followed")
    if path.suffix.lower() not in EXTENSIONS:
        detail = f"only {', '.join(sorted(EXTENSIONS))} are uploaded"
        return SkippedArtifact(rel, "unsupported_extension", detail)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            detail = f"{size:,} bytes; the upload limit is {max_bytes:,} bytes"
            return SkippedArtifact(rel, "too_large", detail)
        raw = path.read_bytes()  # bytes: no newline translation, the hash is of these
    except OSError as exc:
        return SkippedArtifact(rel, "unreadable", str(exc))
    return check_bytes(raw, rel, max_bytes=max_bytes)


def check_bytes(raw: bytes, rel: str, *, max_bytes: int) -> tuple[bytes, str] | SkippedArtifact:
    """The size, UTF-8 and blank checks on bytes already read."""
    if len(raw) > max_bytes:  # grew between stat and read
        detail = f"{len(raw):,} bytes; the upload limit is {max_bytes:,} bytes"
        return SkippedArtifact(rel, "too_large", detail)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return SkippedArtifact(rel, "not_utf8", f"not UTF-8 at byte {exc.start}")
    if not text.strip():
        return SkippedArtifact(rel, "empty", "blank files are not uploaded")
    return raw, text


def candidates(mission_dir: Path) -> list[tuple[Path, str]]:
    """Every artifact-shaped entry of a mission folder and its mission-relative POSIX path."""
    root = Path(mission_dir)
    return [
        (path, path.relative_to(root).as_posix())
        for path in _candidates(root)
        if not path.name.startswith(".")
    ]


def collect_artifacts(mission_dir: Path, *, max_bytes: int = MAX_BODY_BYTES) -> CollectedArtifacts:
    """Read the uploadable artifact bodies of one mission folder."""
    artifacts: list[Artifact] = []
    skipped: list[SkippedArtifact] = []
    for path, rel in candidates(mission_dir):
        got = read_artifact(path, rel, max_bytes=max_bytes)
        if isinstance(got, SkippedArtifact):
            skipped.append(got)
        else:
            artifacts.append(Artifact(rel, got[1]))
    artifacts.sort()
    return CollectedArtifacts(artifacts=tuple(artifacts), skipped=tuple(skipped))
