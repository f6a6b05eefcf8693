"""Prove that the running environment holds exactly the versions uv.lock pins.

Run inside each tox env (commands_pre). Every installed distribution must be in uv.lock at the
locked version; the workspace's own packages are skipped (they are this tree). Exit 1 names each
difference, so a fresh clone can never test other versions than the developer did.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "uv.lock"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock_path: Path = LOCK) -> tuple[dict[str, set[str]], set[str]]:
    """(registry name -> locked versions, names of the workspace's own packages)."""
    data = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    versions: dict[str, set[str]] = {}
    workspace: set[str] = set()
    for package in data.get("package", []):
        name = _norm(package["name"])
        source = package.get("source", {})
        if "editable" in source or "virtual" in source or "directory" in source:
            workspace.add(name)
        elif "version" in package:
            versions.setdefault(name, set()).add(package["version"])
    return versions, workspace


def differences(lock_path: Path = LOCK) -> list[str]:
    versions, workspace = locked_versions(lock_path)
    found: list[str] = []
    for dist in metadata.distributions():
        name = _norm(dist.metadata["Name"] or "")
        if not name or name in workspace:
            continue
        if name not in versions:
            found.append(f"{name} {dist.version} is installed but not in uv.lock")
        elif dist.version not in versions[name]:
            locked = ", ".join(sorted(versions[name]))
            found.append(f"{name} {dist.version} is installed; uv.lock pins {locked}")
    return sorted(set(found))


def main() -> int:
    found = differences()
    for line in found:
        print(f"check_locked_env: {line}", file=sys.stderr)
    if found:
        print("check_locked_env: this env does not match uv.lock (run `uv lock`?)", file=sys.stderr)
        return 1
    print(
        f"check_locked_env: every installed distribution is the version uv.lock pins ({sys.prefix})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
