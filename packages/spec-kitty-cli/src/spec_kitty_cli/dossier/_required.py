"""Each mission type's required artifacts, as recorded in its mission definition.

The built-in definitions (``builtin_missions/<type>/mission.yaml``) carry a ``dossier:
required_artifacts`` list (software-dev: spec.md, plan.md, tasks.md), validated with the rest of
the definition by ``missions_custom._schema.MissionTemplate``. Here only that block is read
(safe YAML loader, no pydantic: mission create and sync stay light). A mission type without a
built-in definition has no required artifacts: nothing is reported missing for it.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import CliError


@lru_cache(maxsize=32)
def required_artifacts(mission_type: str) -> tuple[str, ...]:
    """The required artifact paths (mission-relative) of a mission type; () when none."""
    from ..builtin_missions import BUILTIN_MISSIONS_ROOT
    from ..missions_custom._yamlfile import load_mapping, relative_path_problem

    path = BUILTIN_MISSIONS_ROOT / mission_type / "mission.yaml"
    if "/" in mission_type or not path.is_file():
        return ()
    _, doc = load_mapping(path)
    block = doc.get("dossier") or {}
    paths = block.get("required_artifacts") if isinstance(block, dict) else None
    if paths is None:
        return ()
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise _bad(path, "`dossier.required_artifacts` must be a list of paths")
    for item in paths:
        problem = relative_path_problem(item)
        if problem is not None:
            raise _bad(path, problem)
    return tuple(paths)


def _bad(path: object, problem: str) -> CliError:
    return CliError(
        "MISSION_YAML_MALFORMED",
        f"{path}: {problem}",
        details={"file": str(path), "field": "dossier.required_artifacts"},
        operator_fixable=False,
    )
