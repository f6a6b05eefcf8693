"""Finding mission definitions: seven tiers, highest precedence first.

    explicit          paths given by the caller (none from the CLI)
    env               $SPEC_KITTY_MISSION_PATHS, os.pathsep-separated
    project_override  <repo>/.kittify/overrides/missions
    project_legacy    <repo>/.kittify/missions
    user_global       ~/.kittify/missions
    project_config    `mission_packs` in .kittify/config.yaml (each with a mission-pack.yaml)
    builtin           the definitions shipped with the CLI

Each root yields, in order: the entries of its mission-pack.yaml, <root>/*/mission.yaml (sorted),
and <root>/mission.yaml (a root that is itself a mission.yaml file yields just that file).
Every candidate is loaded; a file that fails keeps its failure and is attributed to the key it
declares or, failing that, to its folder's name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._definition import DefinitionLoadError, MissionDefinition, load_definition
from ._yamlfile import YamlFileError, load_mapping

TIERS = (
    "explicit",
    "env",
    "project_override",
    "project_legacy",
    "user_global",
    "project_config",
    "builtin",
)
ENV_VAR = "SPEC_KITTY_MISSION_PATHS"
DEFINITION_FILE = "mission.yaml"
MANIFEST_FILE = "mission-pack.yaml"


@dataclass(frozen=True, kw_only=True)
class DiscoveryContext:
    """Where to look: the project, the environment, the home folder, the built-ins."""

    project_root: Path
    builtin_root: Path
    home: Path
    environ: Mapping[str, str]
    explicit_paths: Sequence[Path] = ()


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One mission.yaml found in a tier: loaded, or with the reason it failed."""

    path: Path
    tier: str
    definition: MissionDefinition | None = None
    failure: DefinitionLoadError | None = None

    @property
    def key(self) -> str:
        if self.definition is not None:
            return self.definition.key
        declared = self.failure.key if self.failure is not None else None
        return declared or self.path.parent.name


@dataclass(kw_only=True)
class Discovery:
    """Every candidate in precedence order, and the pack warnings met on the way."""

    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def pack_failed(self, pack_root: Path, failed_path: Path, parse_error: str) -> None:
        self.warnings.append(
            {
                "code": "MISSION_PACK_LOAD_FAILED",
                "message": f"mission pack {pack_root} could not be loaded: {parse_error}",
                "details": {
                    "pack_root": str(pack_root),
                    "failed_path": str(failed_path),
                    "parse_error": parse_error,
                },
            }
        )


def _absolute(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def tier_roots(ctx: DiscoveryContext, disc: Discovery) -> Iterator[tuple[str, Path]]:
    """(tier, root) pairs in precedence order."""
    root = ctx.project_root
    for path in ctx.explicit_paths:
        yield "explicit", _absolute(Path(path), Path.cwd())
    for chunk in ctx.environ.get(ENV_VAR, "").split(os.pathsep):
        if chunk.strip():
            yield "env", _absolute(Path(chunk.strip()), Path.cwd())
    yield "project_override", root / ".kittify" / "overrides" / "missions"
    yield "project_legacy", root / ".kittify" / "missions"
    yield "user_global", ctx.home / ".kittify" / "missions"
    for pack in _config_packs(root, disc):
        yield "project_config", pack
    yield "builtin", ctx.builtin_root


def _config_packs(root: Path, disc: Discovery) -> list[Path]:
    from spec_kitty_identity import config_path, read_config

    packs = read_config(root).get("mission_packs")
    if packs is None:
        return []
    config = config_path(root).resolve()
    if not isinstance(packs, list):
        disc.pack_failed(config, config, "`mission_packs` must be a list of folder paths")
        return []
    found = []
    for index, entry in enumerate(packs):
        if isinstance(entry, str) and entry.strip():
            found.append(_absolute(Path(entry.strip()), root))
        else:
            disc.pack_failed(config, config, f"`mission_packs[{index}]` must be a folder path")
    return found


def _manifest_entries(pack_root: Path, disc: Discovery) -> list[Path]:
    manifest = pack_root / MANIFEST_FILE
    try:
        _, doc = load_mapping(manifest)
    except YamlFileError as exc:
        disc.pack_failed(pack_root, manifest, exc.parse_error)
        return []
    pack = doc.get("pack")
    missions = doc.get("missions", [])
    problem = None
    if not isinstance(pack, dict) or not all(
        isinstance(pack.get(k), str) and pack[k].strip() for k in ("name", "version")
    ):
        problem = "`pack` must be a mapping with string `name` and `version`"
    elif not isinstance(missions, list) or not all(
        isinstance(m, dict) and isinstance(m.get("key"), str) and isinstance(m.get("path"), str)
        for m in missions
    ):
        problem = "`missions` must be a list of {key, path} mappings"
    if problem:
        disc.pack_failed(pack_root, manifest, problem)
        return []
    entries = []
    for item in missions:
        target = (pack_root / item["path"]).resolve()
        if not target.is_relative_to(pack_root.resolve()):
            disc.pack_failed(pack_root, target, "manifest entry points outside the pack root")
        elif not target.is_file():
            disc.pack_failed(pack_root, target, "manifest entry points at a missing file")
        else:
            entries.append(target)
    return entries


def scan_root(root: Path, tier: str, disc: Discovery) -> list[Path]:
    """The mission.yaml files of one root, in scan order, without duplicates."""
    if root.is_file():
        return [root.resolve()] if root.name == DEFINITION_FILE else []
    if not root.is_dir():
        if tier == "project_config":
            disc.pack_failed(root, root, "the mission pack folder does not exist")
        return []
    found: list[Path] = []
    if (root / MANIFEST_FILE).exists():
        found.extend(_manifest_entries(root, disc))
    elif tier == "project_config":
        disc.pack_failed(root, root / MANIFEST_FILE, f"the pack has no {MANIFEST_FILE}")
    found.extend(sorted(p for p in root.glob(f"*/{DEFINITION_FILE}") if p.is_file()))
    if (root / DEFINITION_FILE).is_file():
        found.append(root / DEFINITION_FILE)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def discover(ctx: DiscoveryContext) -> Discovery:
    """Load every candidate of every tier, in precedence order."""
    disc = Discovery()
    seen: set[Path] = set()
    for tier, root in tier_roots(ctx, disc):
        for path in scan_root(root, tier, disc):
            if path in seen:
                continue
            seen.add(path)
            try:
                disc.candidates.append(
                    Candidate(path=path, tier=tier, definition=load_definition(path))
                )
            except DefinitionLoadError as exc:
                disc.candidates.append(Candidate(path=path, tier=tier, failure=exc))
                if tier == "project_config":
                    disc.pack_failed(root, path, exc.message)
    return disc
