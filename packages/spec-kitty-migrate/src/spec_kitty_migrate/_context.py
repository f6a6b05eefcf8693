"""The checkout being upgraded, and small helpers every step shares."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spec_kitty_identity import atomic_write_text, create_exclusive_text, git_common_dir

from .errors import UpgradeUnparseableError

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

ProgressFn = Callable[[str, int, int], None]


class Conflict(Exception):
    """Legacy and canonical values disagree: the file is reported and left untouched."""


@dataclass(kw_only=True)
class Project:
    """One checkout under upgrade: where its files are and where legacy per-user files are."""

    root: Path
    home: Path = field(default_factory=Path.home)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def kittify(self) -> Path:
        return self.root / ".kittify"

    @property
    def specs(self) -> Path:
        return self.root / "kitty-specs"

    def project_uuid(self) -> str | None:
        """`project.uuid` of the config, in whatever layout it is (None when there is none)."""
        if "project_uuid" not in self.cache:
            from spec_kitty_identity import read_config

            try:
                config = read_config(self.root)
            except Exception as exc:  # ConfigError: reported as unparseable by the caller
                raise UpgradeUnparseableError(
                    f"{self.kittify / 'config.yaml'} cannot be parsed; fix it, then rerun upgrade",
                    details={"file": str(self.kittify / "config.yaml"), "reason": str(exc)},
                ) from exc
            section = config.get("project")
            value = section.get("uuid") if isinstance(section, dict) else None
            self.cache["project_uuid"] = str(value) if value else None
        uuid_value: str | None = self.cache["project_uuid"]
        return uuid_value


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def deterministic_ulid(timestamp_ms: int, seed: str) -> str:
    """A ULID whose time part is ``timestamp_ms`` and whose random part is derived from ``seed``.

    Two clones upgrading the same legacy mission mint the same mission_id, and a dry run shows
    the id the real run will write.
    """
    rand = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:10], "big")
    value = (max(0, min(timestamp_ms, (1 << 48) - 1)) << 80) | rand
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def mtime_utc(path: Path) -> datetime:
    """The file's modification time as an aware UTC datetime (whole seconds)."""
    return datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)


def git_default_branch(root: Path) -> str:
    """The branch `origin/HEAD` points to, else "main"."""
    common = git_common_dir(root)
    if common is not None:
        with contextlib.suppress(OSError):
            head = (common / "refs" / "remotes" / "origin" / "HEAD").read_text(encoding="utf-8")
            prefix = "ref: refs/remotes/origin/"
            if head.strip().startswith(prefix):
                return head.strip()[len(prefix) :]
    return "main"


def read_text_strict(path: Path) -> str:
    """A UTF-8 text file, or UPGRADE_UNPARSEABLE naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UpgradeUnparseableError(
            f"{path} is not UTF-8 text; fix or restore it, then rerun `spec-kitty upgrade`",
            details={"file": str(path), "reason": str(exc)},
        ) from exc


def write_text(path: Path, text: str) -> None:
    """Temp file + rename (a reader or a crash sees the old or the new content, never half)."""
    atomic_write_text(path, text)


def create_exclusive(path: Path, text: str) -> bool:
    """Create ``path`` only if absent (temp file + hard link); True when this call created it."""
    return create_exclusive_text(path, text)
