"""The feature-era audit: no pre-cutover name may appear in spec-kitty's shipped sources.

Scans every file under packages/*/src (or, with --installed, every file of the installed
spec-kitty distributions) for the deny-listed words below. Allowed places:
- spec-kitty-migrate (the one package that reads legacy state, only from `spec-kitty upgrade`);
- the contract artifact shipped by spec-kitty-gate (its deny-lists name these words);
- `mission_key` additionally in the CLI's custom-mission-definition code, where it means a
  custom mission definition's key (the seed contract of `mission run`).
This file is the audit's own list. Exit 1 and one line per hit when anything is found.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DENY = re.compile(
    r"feature_slug|feature_number|feature_type|FeatureCreated|FeatureCompleted|FeatureClosed"
    r"|feature-state|accept-feature|merge-feature|FEATURE_NOT_FOUND|FEATURE_NOT_READY"
    r"|--feature(?![\w-])|aggregate_type\W{0,6}Feature\b"
)
MISSION_KEY = re.compile(r"mission_key")
EXTERNAL = {"spec-kitty-events", "spec-kitty-orchestrator"}
TEXT_SUFFIXES = {
    ".py",
    ".json",
    ".yaml",
    ".yml",
    ".md",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".csv",
    "",
}


def _allowed(rel: str) -> bool:
    return (
        rel.startswith(("spec_kitty_migrate/", "spec_kitty_migrate-"))  # package and dist-info
        or rel == "spec_kitty_gate/contract.json"
    )


def _mission_key_allowed(rel: str) -> bool:
    return (
        rel.startswith("spec_kitty_cli/missions_custom/")
        or rel == "spec_kitty_cli/commands/mission.py"
    )


def scan(files: Iterable[tuple[str, Path]]) -> list[str]:
    """Return hits as 'rel:line: word' for (relative import path, file) pairs."""
    hits = []
    for rel, path in files:
        if _allowed(rel) or path.suffix not in TEXT_SUFFIXES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in DENY.finditer(line):
                hits.append(f"{rel}:{number}: {match.group(0)}")
            if not _mission_key_allowed(rel):
                hits.extend(f"{rel}:{number}: mission_key" for _ in MISSION_KEY.finditer(line))
    return hits


def tree_files(root: Path) -> list[tuple[str, Path]]:
    out = []
    for src in sorted(root.glob("packages/*/src")):
        for path in sorted(src.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                out.append((path.relative_to(src).as_posix(), path))
    return out


def installed_files() -> list[tuple[str, Path]]:
    """Every file of the installed spec-kitty packages: their import package and dist-info.

    The import package is located through the import system, so editable installs (whose RECORD
    lists only a .pth file) are scanned from their real source folder too.
    """
    import importlib.util
    from importlib.metadata import distributions

    out: list[tuple[str, Path]] = []
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower()
        if not name.startswith("spec-kitty-") or name in EXTERNAL:
            continue
        for file in dist.files or []:
            rel = str(file)
            if ".dist-info/" in rel and "__pycache__" not in rel:
                out.append((rel, Path(str(dist.locate_file(file)))))
        spec = importlib.util.find_spec(name.replace("-", "_"))
        for location in (spec.submodule_search_locations or []) if spec else []:
            package = Path(location)
            for path in sorted(package.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    rel = f"{package.name}/{path.relative_to(package).as_posix()}"
                    out.append((rel, path))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installed", action="store_true", help="scan installed wheels instead")
    args = parser.parse_args(argv)
    files = installed_files() if args.installed else tree_files(ROOT)
    if not files:
        print("feature-era audit: nothing to scan", file=sys.stderr)
        return 1
    hits = scan(files)
    for hit in hits:
        print(f"feature-era audit: {hit}", file=sys.stderr)
    print(f"feature-era audit: {len(files)} files scanned, {len(hits)} hits")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
