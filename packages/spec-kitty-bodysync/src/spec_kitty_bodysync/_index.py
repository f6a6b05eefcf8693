"""The dossier index of one mission folder: each artifact's sha256, size and class.

The index covers exactly the artifacts body upload selects (``_collect``: same candidates, same
checks), so every indexed artifact has a body the SaaS can accept and every body has an index
entry. A stat cache makes re-indexing cheap: an artifact whose (mtime_ns, size, inode, ctime_ns)
equals the cached entry is not read again. A cached entry is trusted only when the file's mtime
was at least ``RACY_NS`` older than the moment it was hashed (the "racy" rule of git's index: an
edit within the same timestamp tick as the hash would otherwise go unseen); such entries are
simply hashed again.

A file that changes while it is being read (its stat before and after the read differ) is read
again, up to ``MAX_READS`` times, and reported in ``changed_during_read``; if it never holds
still it is skipped with reason ``changing``. Nothing here raises for a bad file: every
artifact-shaped file that cannot be indexed is a ``SkippedArtifact`` with its reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._collect import EXTENSIONS, SkippedArtifact, check_bytes, scan
from ._namespace import MAX_BODY_BYTES

__all__ = [
    "ARTIFACT_CLASSES",
    "MAX_READS",
    "RACY_NS",
    "IndexResult",
    "IndexedArtifact",
    "artifact_class",
    "index_mission",
    "stat_key",
    "wp_id_of",
]

# The artifact taxonomy of spec-kitty-events 3.0.0 (ArtifactIdentity.artifact_class).
ARTIFACT_CLASSES = ("input", "workflow", "output", "evidence", "policy", "runtime")
RACY_NS = 2_000_000_000
MAX_READS = 3
_WP = re.compile(r"^tasks/(WP\d+)(?:[-_.].*)?\.md$")

StatKey = tuple[int, int, int, int]


def artifact_class(artifact_path: str) -> str:
    """The artifact class of a mission-relative path (one of ``ARTIFACT_CLASSES``)."""
    if artifact_path == "spec.md":
        return "input"
    if artifact_path in ("plan.md", "tasks.md") or artifact_path.startswith("tasks/"):
        return "workflow"
    if artifact_path == "meta.json":
        return "runtime"
    if artifact_path == "research.md" or artifact_path.startswith("research/"):
        return "evidence"
    if artifact_path.startswith("checklists/"):
        return "policy"
    return "output"  # data-model.md, quickstart.md, contracts/


def wp_id_of(artifact_path: str) -> str | None:
    """``WP01`` for ``tasks/WP01-login.md``; None for every other artifact."""
    found = _WP.match(artifact_path)
    return found.group(1) if found else None


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


@dataclass(frozen=True, kw_only=True, slots=True)
class IndexedArtifact:
    """One indexed artifact: what the index event carries, plus the stat it was hashed at."""

    artifact_path: str
    artifact_class: str
    content_hash: str
    size_bytes: int
    stat: StatKey
    hashed_at_ns: int

    @property
    def wp_id(self) -> str | None:
        return wp_id_of(self.artifact_path)

    def trusted_for(self, current: StatKey) -> bool:
        """True when ``current`` proves the file is unchanged since it was hashed."""
        return current == self.stat and current[0] + RACY_NS <= self.hashed_at_ns


@dataclass(frozen=True, kw_only=True)
class IndexResult:
    """Artifacts (sorted by path), skipped files with reasons, and what the run cost."""

    artifacts: tuple[IndexedArtifact, ...]
    skipped: tuple[SkippedArtifact, ...]
    hashed: int
    changed_during_read: tuple[str, ...] = ()

    def by_path(self) -> dict[str, IndexedArtifact]:
        return {a.artifact_path: a for a in self.artifacts}


def _hash_file(
    path: str, rel: str, max_bytes: int
) -> tuple[IndexedArtifact | SkippedArtifact, bool]:
    """Read and hash one file whose stat is stable across the read; (result, changed)."""
    changed = False
    for _ in range(MAX_READS):
        try:
            with open(path, "rb") as handle:
                before = stat_key(os.fstat(handle.fileno()))
                if before[1] > max_bytes:
                    detail = f"{before[1]:,} bytes; the upload limit is {max_bytes:,} bytes"
                    return SkippedArtifact(rel, "too_large", detail), changed
                raw = handle.read(max_bytes + 1)
                after = stat_key(os.fstat(handle.fileno()))
            now = time.time_ns()
        except OSError as exc:
            return SkippedArtifact(rel, "unreadable", str(exc)), changed
        if before != after or after[1] != len(raw):
            changed = True
            continue
        checked = check_bytes(raw, rel, max_bytes=max_bytes)
        if isinstance(checked, SkippedArtifact):
            return checked, changed
        return (
            IndexedArtifact(
                artifact_path=rel,
                artifact_class=artifact_class(rel),
                content_hash=hashlib.sha256(raw).hexdigest(),
                size_bytes=len(raw),
                stat=after,
                hashed_at_ns=now,
            ),
            changed,
        )
    return SkippedArtifact(rel, "changing", f"still changing after {MAX_READS} reads"), changed


def index_mission(
    mission_dir: Path,
    *,
    cache: Mapping[str, IndexedArtifact] | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> IndexResult:
    """Index one mission folder, reusing ``cache`` entries whose stat proves them unchanged."""
    known = cache or {}
    artifacts: list[IndexedArtifact] = []
    skipped: list[SkippedArtifact] = []
    changed: list[str] = []
    hashed = 0
    for path, rel, st in scan(Path(mission_dir)):
        cached = known.get(rel)
        if cached is not None and cached.trusted_for(stat_key(st)):
            artifacts.append(cached)
            continue
        if stat.S_ISLNK(st.st_mode):
            skipped.append(SkippedArtifact(rel, "symlink", "symlinks are not followed"))
            continue
        if os.path.splitext(rel)[1].lower() not in EXTENSIONS:
            detail = f"only {', '.join(sorted(EXTENSIONS))} are uploaded"
            skipped.append(SkippedArtifact(rel, "unsupported_extension", detail))
            continue
        result, moved = _hash_file(path, rel, max_bytes)
        hashed += 1
        if moved:
            changed.append(rel)
        if isinstance(result, SkippedArtifact):
            skipped.append(result)
        else:
            artifacts.append(result)
    artifacts.sort(key=lambda a: a.artifact_path)
    return IndexResult(
        artifacts=tuple(artifacts),
        skipped=tuple(skipped),
        hashed=hashed,
        changed_during_read=tuple(changed),
    )
