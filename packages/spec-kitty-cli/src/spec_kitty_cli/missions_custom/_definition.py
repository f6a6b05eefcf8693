"""Loading a mission.yaml: the pydantic schema (``_schema``) checks it, this module turns the
result into the frozen records the runtime plans from (``MissionDefinition``, ``Step``).

Every problem of a file is collected (``DefinitionLoadError.problems``) with its dotted field and
line: a shape error is MISSION_YAML_MALFORMED (an unknown key lists the allowed keys); absent or
blank required fields are MISSION_REQUIRED_FIELD_MISSING naming each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._yamlfile import YamlFileError, load_mapping

RETROSPECTIVE = "retrospective"
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    """The file is not a usable definition: MALFORMED or REQUIRED_FIELD_MISSING.

    ``problems`` lists every problem found, in document order; each is a dict with ``code``,
    ``message`` and ``details`` (``field``, ``line`` where known, ``missing_fields``,
    ``allowed_keys``). ``code``, ``message`` and ``field`` are the first problem's.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        key: str | None = None,
        field: str | None = None,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key  # mission.key when it could be read
        self.field = field
        self.problems = problems or [{"code": code, "message": message, "details": {}}]


def _declared_key(doc: Any) -> str | None:
    meta = doc.get("mission") if isinstance(doc, dict) else None
    key = meta.get("key") if isinstance(meta, dict) else None
    key = key.strip() if isinstance(key, str) else None
    return key if key and _KEBAB.match(key) else None


def _to_step(step: Any) -> Step:
    def opt(value: str | None) -> str | None:
        return value.strip() or None if isinstance(value, str) else None

    return Step(
        id=step.id,
        title=step.title,
        description=step.description.strip(),
        requires_inputs=tuple(step.requires_inputs),
        depends_on=tuple(step.depends_on),
        agent_profile=opt(step.agent_profile),
        contract_ref=opt(step.contract_ref),
        prompt=opt(step.prompt),
        prompt_template=opt(step.prompt_template),
        expected_output=opt(step.expected_output),
        options=tuple(step.options),
    )


def parse_definition(
    doc: dict[str, Any], *, path: Path, source: bytes, text: str | None = None
) -> MissionDefinition:
    """Validate a parsed mission.yaml mapping (``MissionTemplate.model_validate``)."""
    from pydantic import ValidationError

    from ._problems import duplicate_ids, problems_of, raw_problems
    from ._schema import MissionTemplate

    key = _declared_key(doc)
    found = raw_problems(doc)
    template = None
    try:
        template = MissionTemplate.model_validate(doc)
    except ValidationError as exc:
        found += problems_of(exc, doc)
    if template is not None:
        found += duplicate_ids([s.id for s in template.steps])
    if found:
        if text is not None:
            from ._problems import add_lines

            add_lines(found, text)
            found.sort(key=lambda p: int(p["details"].get("line") or 0))  # document order
        first = found[0]
        raise DefinitionLoadError(
            first["code"],
            first["message"],
            key=key,
            field=first["details"].get("field"),
            problems=found,
        )
    assert template is not None
    return MissionDefinition(
        key=template.mission.key,
        name=template.mission.name,
        version=template.mission.version,
        description=template.mission.description.strip(),
        steps=tuple(_to_step(s) for s in template.steps),
        path=path,
        source=source,
    )


def load_definition(path: Path) -> MissionDefinition:
    """Read and check one mission.yaml; raise DefinitionLoadError on any problem."""
    try:
        source, doc = load_mapping(path)
    except YamlFileError as exc:
        raise DefinitionLoadError(
            "MISSION_YAML_MALFORMED",
            exc.parse_error,
            problems=[
                {"code": "MISSION_YAML_MALFORMED", "message": exc.parse_error, "details": {}}
            ],
        ) from exc
    return parse_definition(doc, path=path, source=source, text=source.decode("utf-8"))
