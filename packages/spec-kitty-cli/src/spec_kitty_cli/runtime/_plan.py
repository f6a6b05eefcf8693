"""The frozen plan of a run: every step of the definition with what an agent needs to do it.

Built once, when the run starts, from the definition that is frozen into the run folder; `next`
plans only from it. A step bound to a step contract carries the contract's content (read when
the run starts); a step bound to an agent profile carries the contract synthesized for it
(``custom:<key>:<step>``), as the upstream runtime registers it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

RETROSPECTIVE = "retrospective"


def _route(key: str, step: Any) -> dict[str, Any]:
    """Where the runtime sends a step: a decision, a step contract or an agent profile."""
    if step.id == RETROSPECTIVE:
        return {"kind": "retrospective"}
    if step.requires_inputs:
        return {"kind": "decision", "inputs": list(step.requires_inputs)}
    if step.contract_ref:
        return {"kind": "step_contract", "contract_ref": step.contract_ref}
    return {
        "kind": "agent_profile",
        "agent_profile": step.agent_profile,
        "contract_ref": f"custom:{key}:{step.id}",
    }


def _synthesized(key: str, step: Any) -> dict[str, Any]:
    return {
        "id": f"custom:{key}:{step.id}",
        "schema_version": "1.0",
        "action": step.id,
        "mission": key,
        "steps": [{"id": f"{step.id}.execute", "description": step.description or step.title}],
    }


def _contract(key: str, step: Any, contracts: dict[str, Path]) -> dict[str, Any] | None:
    if step.contract_ref:
        from ..missions_custom._yamlfile import load_mapping

        _, doc = load_mapping(contracts[step.contract_ref])
        return doc
    if step.agent_profile:
        return _synthesized(key, step)
    return None


def build_plan(definition: Any, contracts: dict[str, Path]) -> list[dict[str, Any]]:
    """The plan steps of ``definition`` (a MissionDefinition), contracts resolved."""
    key = definition.key
    return [
        {
            "id": step.id,
            "title": step.title,
            "description": step.description,
            "prompt": step.prompt,
            "prompt_template": step.prompt_template,
            "expected_output": step.expected_output,
            "requires_inputs": list(step.requires_inputs),
            "options": list(step.options),
            "depends_on": list(step.depends_on),
            "agent_profile": step.agent_profile,
            "contract_ref": step.contract_ref,
            "contract": _contract(key, step, contracts),
            "route": _route(key, step),
        }
        for step in definition.steps
    ]
