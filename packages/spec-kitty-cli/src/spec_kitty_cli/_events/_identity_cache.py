"""A per-checkout cache of the emitting identity, so emitting an event never parses YAML.

`spec-kitty next` emits on most calls, and reading the identity means parsing
`.kittify/config.yaml` (importing yaml costs more than the rest of the call). The identity is
cached in `.kittify/state/identity.cache.json` (untracked), keyed by the SHA-256 of every file it
is read from: the checkout's and the main clone's config.yaml, build.json, the user's node.json
and the repository's git config (the origin remote gives repo_slug). Any change to one of them,
a missing, damaged or foreign cache file: the identity is read the slow way and the cache is
rewritten. Writing the cache is best effort; it never fails an emit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

CACHE_FILE = "identity.cache.json"
CACHE_SCHEMA = 1
MAX_SOURCE_BYTES = 1024 * 1024
_FIELDS = ("project_uuid", "project_slug", "repo_slug", "build_id", "node_id")


def _sources(root: Path) -> list[Path]:
    from spec_kitty_identity import (
        checkout_state_dir,
        config_path,
        git_common_dir,
        main_root_of,
        user_state_dir,
    )

    paths = [config_path(root), config_path(main_root_of(root))]
    paths += [checkout_state_dir(root) / "build.json", user_state_dir() / "node.json"]
    common = git_common_dir(root)
    if common is not None:
        paths.append(common / "config")
    return paths


def source_key(root: Path) -> str:
    """The SHA-256 over the identity's source files (name, then bytes or 'missing')."""
    digest = hashlib.sha256()
    for path in _sources(root):
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError:
            digest.update(b"missing\0")
            continue
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def cache_path(root: Path) -> Path:
    from spec_kitty_identity import checkout_state_dir

    return checkout_state_dir(root) / CACHE_FILE


def load_cached(root: Path) -> Any | None:
    """The cached identity when the cache matches the source files now, else None."""
    try:
        with open(cache_path(root), "rb") as handle:
            doc = json.loads(handle.read(64 * 1024))
        if not isinstance(doc, dict) or doc.get("schema") != CACHE_SCHEMA:
            return None
        fields = doc["identity"]
        if doc.get("key") != source_key(root) or not isinstance(fields, dict):
            return None
        values = {name: fields[name] for name in _FIELDS}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(not isinstance(v, str) for k, v in values.items() if k != "repo_slug"):
        return None
    if values["repo_slug"] is not None and not isinstance(values["repo_slug"], str):
        return None
    from spec_kitty_identity import ProjectIdentity

    return ProjectIdentity(**values)


def store(root: Path, identity: Any) -> None:
    """Record ``identity`` against the source files as they are now (best effort)."""
    from spec_kitty_identity import atomic_write_text

    doc = {
        "schema": CACHE_SCHEMA,
        "key": source_key(root),
        "identity": {name: getattr(identity, name) for name in _FIELDS},
    }
    with contextlib.suppress(Exception):  # a read-only or guarded state dir: no cache
        atomic_write_text(cache_path(root), json.dumps(doc, sort_keys=True) + "\n")
