"""Fail when an installed spec-kitty-* distribution is not the one built from this tree.

A PyPI project also named spec-kitty-cli exists (3.x, import name `specify_cli`): installs must
never pick it up. The installed version must equal the tree's, and the distribution must ship our
import package.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    errors = []
    for pyproject in sorted((ROOT / "packages").glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        name, version = project["name"], project["version"]
        import_name = name.replace("-", "_")
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            errors.append(f"{name} is not installed")
            continue
        if dist.version != version:
            errors.append(f"{name}: installed {dist.version}, tree has {version}")
        files = [str(f) for f in dist.files or []]
        if not any(f.startswith(f"{import_name}/") or f.endswith(".pth") for f in files):
            errors.append(f"{name}: installed distribution does not ship {import_name}/")
        if any(f.startswith("specify_cli/") for f in files):
            errors.append(f"{name}: this is the unrelated PyPI project (ships specify_cli/)")
    for error in errors:
        print(f"installed: {error}", file=sys.stderr)
    if not errors:
        print("installed: every spec-kitty package is the one from this tree")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
