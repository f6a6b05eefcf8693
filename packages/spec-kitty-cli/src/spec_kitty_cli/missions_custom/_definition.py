"""The mission.yaml schema, checked with plain code (no pydantic: start-up time matters).

    mission:   {key (kebab-case), name, version (strings, required), description = ""}
    steps:     [{id, title (required), description, prompt, prompt_template, expected_output,
                 requires_inputs [str], depends_on [str] (ids of earlier-or-later steps),
                 agent_profile | agent-profile, contract_ref}]   (at least one step)
    audit_steps: [{id, title, ...}]   (optional)

Unknown keys inside a step are ignored. A shape error is MISSION_YAML_MALFORMED; an absent or
blank required field is MISSION_REQUIRED_FIELD_MISSING naming the dotted field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._yamlfile import YamlFileError, load_mapping

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RETROSPECTIVE = "retrospective"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One prompt step and its binding (an agent profile, a step contract, or a decision)."""

    id: str
    title: str
    description: str = ""
    requires_inputs: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    agent_profile: str | None = None
    contract_ref: str | None = None
    prompt: str | None = None
    prompt_template: str | None = None
    expected_output: str | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MissionDefinition:
    """A loaded, shape-checked definition and the exact bytes it was read from."""

    key: str
    name: str
    version: str
    description: str
    steps: tuple[Step, ...]
    path: Path
    source: bytes


class DefinitionLoadError(Exception):
    """The file is not a usable definition: MALFORMED or REQUIRED_FIELD_MISSING."""

    def __init__(
        self, code: str, message: str, *, key: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key  # mission.key when it could be read
        self.field = field


def _malformed(message: str, key: str | None = None) -> DefinitionLoadError:
    return DefinitionLoadError("MISSION_YAML_MALFORMED", message, key=key)


def _missing(field: str, key: str | None) -> DefinitionLoadError:
    return DefinitionLoadError(
        "MISSION_REQUIRED_FIELD_MISSING",
        f"required field `{field}` is missing",
        key=key,
        field=field,
    )


def _required_str(block: dict[str, Any], name: str, field: str, key: str | None) -> str:
    value = block.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _missing(field, key)
    if not isinstance(value, str):
        raise _malformed(
            f"`{field}` must be a string, found {type(value).__name__} (quote it in YAML)", key
        )
    return value.strip()


def _optional_str(block: dict[str, Any], name: str, field: str, key: str | None) -> str | None:
    value = block.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _malformed(f"`{field}` must be a string, found {type(value).__name__}", key)
    return value.strip() or None


def _str_list(block: dict[str, Any], name: str, field: str, key: str | None) -> tuple[str, ...]:
    value = block.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _malformed(f"`{field}` must be a list of non-empty strings", key)
    return tuple(v.strip() for v in value)


def _parse_step(raw: Any, index: int, key: str) -> Step:
    where = f"steps.{index}"
    if not isinstance(raw, dict):
        raise _malformed(f"`{where}` must be a mapping, found {type(raw).__name__}", key)
    if "agent_profile" in raw and "agent-profile" in raw:
        raise _malformed(
            f"`{where}` spells agent_profile twice (agent_profile, agent-profile)", key
        )
    spelling = "agent-profile" if "agent-profile" in raw else "agent_profile"
    return Step(
        prompt=_optional_str(raw, "prompt", f"{where}.prompt", key),
        prompt_template=_optional_str(raw, "prompt_template", f"{where}.prompt_template", key),
        expected_output=_optional_str(raw, "expected_output", f"{where}.expected_output", key),
        options=_str_list(raw, "options", f"{where}.options", key),
        id=_required_str(raw, "id", f"{where}.id", key),
        title=_required_str(raw, "title", f"{where}.title", key),
        description=_optional_str(raw, "description", f"{where}.description", key) or "",
        requires_inputs=_str_list(raw, "requires_inputs", f"{where}.requires_inputs", key),
        depends_on=_str_list(raw, "depends_on", f"{where}.depends_on", key),
        agent_profile=_optional_str(raw, spelling, f"{where}.{spelling}", key),
        contract_ref=_optional_str(raw, "contract_ref", f"{where}.contract_ref", key),
    )


def _check_audit_steps(doc: dict[str, Any], key: str) -> None:
    audit = doc.get("audit_steps")
    if audit is None:
        return
    if not isinstance(audit, list):
        raise _malformed("`audit_steps` must be a list", key)
    for index, raw in enumerate(audit):
        if not isinstance(raw, dict):
            raise _malformed(f"`audit_steps.{index}` must be a mapping", key)
        _required_str(raw, "id", f"audit_steps.{index}.id", key)
        _required_str(raw, "title", f"audit_steps.{index}.title", key)


def parse_definition(doc: dict[str, Any], *, path: Path, source: bytes) -> MissionDefinition:
    """Check the shape of a parsed mission.yaml mapping."""
    meta = doc.get("mission")
    if meta is None:
        raise _missing("mission.key", None)
    if not isinstance(meta, dict):
        raise _malformed(f"`mission` must be a mapping, found {type(meta).__name__}")
    key = _required_str(meta, "key", "mission.key", None)
    if not KEY_RE.match(key):
        raise _malformed(f"`mission.key` {key!r} must be kebab-case like erp-integration")
    name = _required_str(meta, "name", "mission.name", key)
    version = _required_str(meta, "version", "mission.version", key)
    description = _optional_str(meta, "description", "mission.description", key) or ""
    raw_steps = doc.get("steps")
    if raw_steps is None or raw_steps == []:
        raise _missing("steps", key)
    if not isinstance(raw_steps, list):
        raise _malformed(f"`steps` must be a list, found {type(raw_steps).__name__}", key)
    steps = tuple(_parse_step(raw, i, key) for i, raw in enumerate(raw_steps))
    ids = [s.id for s in steps]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise _malformed(f"duplicate step ids: {', '.join(duplicates)}", key)
    _check_audit_steps(doc, key)
    return MissionDefinition(
        key=key,
        name=name,
        version=version,
        description=description,
        steps=steps,
        path=path,
        source=source,
    )


def load_definition(path: Path) -> MissionDefinition:
    """Read and check one mission.yaml; raise DefinitionLoadError on any problem."""
    try:
        source, doc = load_mapping(path)
    except YamlFileError as exc:
        raise _malformed(exc.parse_error) from exc
    return parse_definition(doc, path=path, source=source)
