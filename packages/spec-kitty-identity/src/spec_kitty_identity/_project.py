"""ProjectIdentity: project (tracked, shared), build (per checkout) and node (per user+machine).

Sections and where each lives:

- ``project`` — `.kittify/config.yaml` (tracked): ``uuid``, ``slug`` and an optional ``repo_slug``
  override. Written only by `spec-kitty init`.
- ``build`` — `.kittify/state/build.json` in each checkout (self-ignored, never committed): a
  uuid4 minted on first use. Every clone and every `git worktree` therefore has its own build id;
  one checkout keeps it across runs; reading identity never dirties the git tree.
- ``node`` — `node.json` in the per-user state folder: a 12-hex id, stable for a user on a machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._atomic import create_exclusive_text
from ._config import config_path, read_config, set_config_section
from ._inputs import loads_json, read_bounded
from ._roots import checkout_state_dir, git_common_dir, main_root_of, user_state_dir
from .errors import ConfigError, LegacyStateError, NotInitializedError, StateWriteError

if TYPE_CHECKING:
    from collections.abc import Callable

PROJECT_KEYS = ("uuid", "slug", "repo_slug")
BUILD_FILE = "build.json"
NODE_FILE = "node.json"
_REMOTE_RE = re.compile(r'^\[remote "origin"\]\s*$')
_URL_RE = re.compile(r"^\s*url\s*=\s*(\S+)\s*$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _uuid4_text() -> str:
    import uuid  # deferred: only minting needs it

    return str(uuid.uuid4())


@dataclass(frozen=True, kw_only=True)
class ProjectIdentity:
    """Who is emitting: the project, this checkout (build) and this user on this machine (node)."""

    project_uuid: str
    project_slug: str
    repo_slug: str | None
    build_id: str
    node_id: str

    def as_sections(self) -> dict[str, dict[str, Any]]:
        """The three canonical sections, as `identity show` presents them."""
        return {
            "project": {
                "uuid": self.project_uuid,
                "slug": self.project_slug,
                "repo_slug": self.repo_slug,
            },
            "build": {"id": self.build_id},
            "node": {"id": self.node_id},
        }


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "project"


def origin_url(checkout_root: Path) -> str | None:
    """The `origin` remote URL, read from the repository's git config (no subprocess)."""
    common = git_common_dir(checkout_root)
    if common is None:
        return None
    try:
        lines = (common / "config").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    in_origin = False
    for line in lines:
        if line.lstrip().startswith("["):
            in_origin = _REMOTE_RE.match(line.strip()) is not None
            continue
        match = _URL_RE.match(line) if in_origin else None
        if match:
            return match.group(1)
    return None


def repo_slug_from_url(url: str) -> str:
    """`owner/name` from a git remote URL (https, ssh, scp-like or a local path)."""
    trimmed = url.rstrip("/")
    trimmed = trimmed.removesuffix(".git")
    parts = [p for p in re.split(r"[/:]", trimmed) if p]
    return "/".join(parts[-2:])


def _project_section(project_root: Path, config: dict[str, Any]) -> dict[str, Any]:
    path = config_path(project_root)
    section = config.get("project")
    if section is None:
        raise NotInitializedError(
            f"{path} has no project identity; run `spec-kitty init` in {project_root}",
            details={"file": str(path), "hint": "spec-kitty init"},
        )
    if not isinstance(section, dict):
        raise ConfigError(
            f"{path}: `project` must be a mapping", details={"file": str(path), "key": "project"}
        )
    for key in section:
        if key not in PROJECT_KEYS:
            raise LegacyStateError(
                f"{path}: unknown key `project.{key}`; run `spec-kitty upgrade` to rewrite it",
                details={"file": str(path), "key": f"project.{key}", "hint": "spec-kitty upgrade"},
            )
    if not _UUID_RE.match(str(section.get("uuid")).lower()):
        raise ConfigError(
            f"{path}: project.uuid is not a UUID",
            details={"file": str(path), "key": "project.uuid", "value": section.get("uuid")},
        )
    if not isinstance(section.get("slug"), str) or not section["slug"].strip():
        raise ConfigError(
            f"{path}: project.slug must be a non-empty string",
            details={"file": str(path), "key": "project.slug"},
        )
    return section


def _load_or_mint(path: Path, key: str, mint: Callable[[], str]) -> str:
    if not path.exists():
        payload = {key: mint(), "created_at": datetime.now(UTC).isoformat()}
        try:
            create_exclusive_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")
        except OSError as exc:
            raise StateWriteError(
                f"cannot write {path}: {exc}", details={"file": str(path), "reason": str(exc)}
            ) from exc
    try:
        value = loads_json(read_bounded(path, 64 * 1024))[key]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is damaged; delete it and spec-kitty will mint a new {key}",
            details={"file": str(path), "key": key, "parse_error": str(exc)},
        ) from exc
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{path}: {key} is empty; delete the file to mint a new one",
            details={"file": str(path), "key": key},
        )
    return value


def load_build_id(checkout_root: Path) -> str:
    """This checkout's build id, minted (uuid4) into untracked state on first use."""
    return _load_or_mint(checkout_state_dir(checkout_root) / BUILD_FILE, "build_id", _uuid4_text)


def load_node_id() -> str:
    """This user's node id on this machine (12 hex), minted on first use."""
    return _load_or_mint(
        user_state_dir() / NODE_FILE, "node_id", lambda: _uuid4_text().replace("-", "")[:12]
    )


def load_project_identity(checkout_root: Path) -> ProjectIdentity:
    """Read the identity of ``checkout_root``; never writes a tracked file.

    The project section is shared by every checkout: a linked worktree whose own config has none
    (`.kittify/config.yaml` not committed, or the worktree predates it) reads the main clone's.
    The build id is always this checkout's own.
    """
    config = read_config(checkout_root)
    source = checkout_root
    if "project" not in config and main_root_of(checkout_root) != checkout_root:
        source = main_root_of(checkout_root)
        config = read_config(source)
    section = _project_section(source, config)
    repo_slug = section.get("repo_slug")
    if repo_slug is None:
        url = origin_url(checkout_root)
        repo_slug = repo_slug_from_url(url) if url else None
    return ProjectIdentity(
        project_uuid=str(section["uuid"]).lower(),
        project_slug=section["slug"],
        repo_slug=repo_slug,
        build_id=load_build_id(checkout_root),
        node_id=load_node_id(),
    )


def init_project(checkout_root: Path, *, project_slug: str | None = None) -> ProjectIdentity:
    """Create the project identity in `.kittify/config.yaml` if absent; idempotent."""
    config = read_config(checkout_root)
    if "project" not in config:
        url = origin_url(checkout_root)
        default = repo_slug_from_url(url).rsplit("/", 1)[-1] if url else checkout_root.name
        section = {"uuid": _uuid4_text(), "slug": _slugify(project_slug or default)}
        set_config_section(checkout_root, "project", section)
    return load_project_identity(checkout_root)
