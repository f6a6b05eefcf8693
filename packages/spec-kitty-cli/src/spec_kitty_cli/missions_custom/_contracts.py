"""The on-disk step contract repository that a step's `contract_ref` must resolve against.

Two layers, the later overriding the earlier by `id`: the built-in contracts shipped with the
CLI, then the project's `.kittify/doctrine/mission_step_contracts/*.step-contract.yaml`.
A file that cannot be read, or lacks a string `id` and a non-empty `steps` list, contributes
nothing (so a reference to it stays unresolved: the run fails closed).
"""

from __future__ import annotations

from pathlib import Path

from ._yamlfile import YamlFileError, load_mapping

CONTRACT_GLOB = "*.step-contract.yaml"


def project_contracts_dir(project_root: Path) -> Path:
    return project_root / ".kittify" / "doctrine" / "mission_step_contracts"


def contract_ids(builtin_dir: Path, project_root: Path) -> dict[str, Path]:
    """Contract id -> the file that defines it (project files override built-ins)."""
    found: dict[str, Path] = {}
    for folder in (builtin_dir, project_contracts_dir(project_root)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(CONTRACT_GLOB)):
            try:
                _, doc = load_mapping(path)
            except YamlFileError:
                continue
            cid, steps = doc.get("id"), doc.get("steps")
            if isinstance(cid, str) and cid.strip() and isinstance(steps, list) and steps:
                found[cid.strip()] = path.resolve()
    return found
