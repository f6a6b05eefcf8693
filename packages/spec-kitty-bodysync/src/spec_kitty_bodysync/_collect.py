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

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

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
    "scan",
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


Entry = tuple[str, str, os.stat_result]  # (path, mission-relative POSIX path, lstat)


def scan(mission_dir: Path) -> list[Entry]:
    """Every artifact-shaped entry (a file or a symlink, not hidden) with its lstat, in order:
    the fixed names, then tasks/*.md, then everything below research/, contracts/, checklists/.
    One ``scandir`` per folder: listing 1,000 artifacts costs about one stat each."""
    root = os.fspath(mission_dir)
    out: list[Entry] = []

    def keep(path: str, rel: str, st: os.stat_result) -> None:
        if (stat.S_ISLNK(st.st_mode) or stat.S_ISREG(st.st_mode)) and not rel.rsplit("/", 1)[
            -1
        ].startswith("."):
            out.append((path, rel, st))

    for name in sorted(ARTIFACT_FILES):
        path = os.path.join(root, name)
        try:
            keep(path, name, os.lstat(path))
        except OSError:
            continue
    for entry in _listing(os.path.join(root, "tasks")):
        if os.path.splitext(entry.name)[1] == ".md":
            _keep_entry(entry, "tasks/" + entry.name, keep)
    for name in ARTIFACT_DIRS:
        _walk(os.path.join(root, name), name, keep)
    return out


def _listing(folder: str) -> list[os.DirEntry[str]]:
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return []
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError:
        return []


def _keep_entry(entry: os.DirEntry[str], rel: str, keep: Any) -> None:
    try:
        keep(entry.path, rel, entry.stat(follow_symlinks=False))
    except OSError:
        return


def _walk(folder: str, prefix: str, keep: Any) -> None:
    for entry in _listing(folder):
        if entry.name.startswith("."):
            continue
        rel = f"{prefix}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, rel, keep)
        else:
            _keep_entry(entry, rel, keep)


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
    return [(Path(path), rel) for path, rel, _ in scan(Path(mission_dir))]


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
