"""The mission.yaml schema as pydantic v2 models (``MissionTemplate.model_validate``).

Imported only by commands that validate a definition (`mission run`, the first `next` of a
built-in mission): pydantic stays off every other path, the orchestrator-api's above all.

    mission:     {key (kebab-case), name, version (strings, required), description = ""}
    steps:       [PromptStep]  at least one
    audit_steps: [AuditStep]
    dossier:     {required_artifacts: [mission-relative paths]}   (optional; what the dossier
                 reports as MissionDossierArtifactMissing when absent)

Unknown keys are refused (the error lists the allowed keys); strings are never coerced from
numbers (``version: 1.0`` must be quoted); a blank required string counts as missing.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ._yamlfile import relative_path_problem

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
]
Names = list[Text]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, populate_by_name=True)


class MissionMeta(_Model):
    key: Key
    name: Text
    version: Text
    description: str = ""


class RaciBinding(_Model):
    actor_type: Annotated[str, StringConstraints(pattern=r"^(human|llm|service)$")]
    actor_id: str | None = None


class Raci(_Model):
    responsible: RaciBinding
    accountable: RaciBinding
    consulted: list[RaciBinding] = []
    informed: list[RaciBinding] = []


class PromptStep(_Model):
    id: Text
    title: Text
    description: str = ""
    prompt: str | None = None
    prompt_template: str | None = None
    expected_output: str | None = None
    requires_inputs: Names = []
    options: Names = []
    depends_on: Names = []
    raci: Raci | None = None
    raci_override_reason: str | None = None
    agent_profile: str | None = Field(
        default=None, validation_alias=AliasChoices("agent_profile", "agent-profile")
    )
    contract_ref: str | None = None


class Audit(_Model):
    trigger_mode: Annotated[str, StringConstraints(pattern=r"^(manual|post_merge|both)$")]
    enforcement: Annotated[str, StringConstraints(pattern=r"^(advisory|blocking)$")]
    label: str | None = None
    metadata: dict[str, Any] | None = None


class AuditStep(_Model):
    id: Text
    title: Text
    description: str = ""
    audit: Audit | None = None
    significance: dict[str, Any] | None = None
    depends_on: Names = []
    raci: Raci | None = None
    raci_override_reason: str | None = None


class Dossier(_Model):
    required_artifacts: Names = []

    @field_validator("required_artifacts")
    @classmethod
    def _relative(cls, paths: list[str]) -> list[str]:
        for path in paths:
            problem = relative_path_problem(path)
            if problem is not None:
                raise ValueError(problem)
        return paths


class MissionTemplate(_Model):
    mission: MissionMeta
    steps: Annotated[list[PromptStep], Field(min_length=1)]
    audit_steps: list[AuditStep] = []
    dossier: Dossier | None = None


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``loc`` (the loc of an unknown key's parent) may hold."""
    model: type[BaseModel] = MissionTemplate
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        inner = _model_of(field.annotation)
        if inner is None:
            return []
        model = inner
    keys = []
    for name in model.model_fields:
        keys.append(name)
        if name == "agent_profile":
            keys.append("agent-profile")
    return keys


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
