"""The sequential runtime loop as pure functions over a run's state (a JSON dict).

Nothing here touches a file: each operation mutates ``state`` and returns the events it caused
as ``(event_type, payload_without_actor, actor)`` triples plus the answer for the caller. The
caller (``_api``) holds the run lock, writes the events and the state, and enqueues the events.

Rules:
- steps are issued in declaration order among those whose ``depends_on`` are all done (the
  definition was checked to be a DAG), one at a time per run;
- a step with ``requires_inputs`` first raises one decision per unanswered input
  (``decision_id = "input:<key>"``); it is issued once every input is answered;
- ``failed``/``blocked`` keep the step with its agent and block the run until that agent
  reports ``success`` for it; the last step done completes the run.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RESULTS = ("success", "failed", "blocked")
RUNNING, BLOCKED, COMPLETED = "running", "blocked", "completed"
RUNTIME_ACTOR = "spec-kitty-runtime"


def actor(actor_id: str, actor_type: str) -> dict[str, Any]:
    """A RuntimeActorIdentity (spec-kitty-events 3.0.0), every field present."""
    return {
        "actor_id": actor_id,
        "actor_type": actor_type,
        "display_name": "",
        "provider": None,
        "model": None,
        "tool": None,
    }


def service_actor() -> dict[str, Any]:
    return actor(RUNTIME_ACTOR, "service")


def decision_id(input_key: str) -> str:
    return f"input:{input_key}"


class EngineError(Exception):
    """A request the run's state refuses (exit 2): a stable code, message and details."""

    operator_fixable = True  # a spec_kitty_identity.StructuredError

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def _step(state: dict[str, Any], step_id: str) -> dict[str, Any]:
    for step in state["steps"]:
        if step["id"] == step_id:
            found: dict[str, Any] = step
            return found
    raise EngineError(  # pragma: no cover - a state we wrote names only its own steps
        "RUN_STATE_INVALID", f"state.json names unknown step {step_id!r}", {"step_id": step_id}
    )


def ready_step(state: dict[str, Any]) -> dict[str, Any] | None:
    """The first step not done whose dependencies are all done."""
    done = set(state["completed_steps"])
    for step in state["steps"]:
        if step["id"] not in done and all(d in done for d in step["depends_on"]):
            ready: dict[str, Any] = step
            return ready
    return None


def record_result(
    state: dict[str, Any], *, agent: str, result: str, step_id: str | None, now: str
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Record ``result`` for the step ``agent`` holds; a repeated report is a no-op."""
    held = state["issued"]
    if held is None or held["agent"] != agent or (step_id and held["step_id"] != step_id):
        last = next((h for h in reversed(state["history"]) if h["agent"] == agent), None)
        if (
            step_id
            and last is not None
            and last["step_id"] == step_id
            and last["result"] == result
            and (held is None or held["step_id"] != step_id)
        ):
            return []  # a retry of a report already recorded: answer as if it were new
        raise EngineError(
            "RUN_STEP_NOT_HELD",
            f"agent {agent!r} holds no step"
            + (f" {step_id!r}" if step_id else "")
            + " to report a result for; run `spec-kitty next` without --result to get one",
            {"agent": agent, "step_id": step_id, "issued": held},
        )
    sid = held["step_id"]
    state["history"].append({"step_id": sid, "agent": agent, "result": result, "at": now})
    events = [
        (
            "NextStepAutoCompleted",
            {"run_id": state["run_id"], "step_id": sid, "agent_id": agent, "result": result},
            actor(agent, "llm"),
        )
    ]
    if result != "success":
        state["status"] = BLOCKED
        state["blocked_reason"] = (
            f"step {sid!r} reported {result} by {agent!r}; re-run it and report "
            f"`spec-kitty next --mission {state['mission_slug']} --agent {agent} --result success`"
        )
        return events
    state["issued"] = None
    state["issued_step_id"] = None
    state["status"] = RUNNING
    state["blocked_reason"] = None
    state["completed_steps"].append(sid)
    if len(state["completed_steps"]) == len(state["steps"]):
        state["status"] = COMPLETED
        state["completed_at"] = now
        events.append(
            (
                "MissionRunCompleted",
                {"run_id": state["run_id"], "mission_type": state["mission_type"]},
                service_actor(),
            )
        )
    return events


def _answers(state: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in state["inputs"].items() if k != "mission_slug"}


def _step_answer(state: dict[str, Any], step: dict[str, Any], agent: str) -> dict[str, Any]:
    return {
        "kind": "step",
        "agent": agent,
        "step": step,
        "decisions": _answers(state),
        "depends_on_done": [d for d in step["depends_on"] if d in state["completed_steps"]],
    }


def _question(step: dict[str, Any], key: str) -> str:
    base = step.get("prompt") or step.get("description") or step["title"]
    return f"{base} (input `{key}` for step {step['id']!r})"


def decide(
    state: dict[str, Any], *, agent: str, now: str
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """The next action for ``agent`` (step, decision_required, blocked or terminal)."""
    if state["status"] == COMPLETED:
        return {"kind": "terminal", "completed_at": state.get("completed_at")}, []
    held = state["issued"]
    if state["status"] == BLOCKED:
        return {
            "kind": "blocked",
            "reason": state["blocked_reason"],
            "step_id": held["step_id"] if held else None,
            "held_by": held["agent"] if held else None,
        }, []
    if held is not None:
        if held["agent"] == agent:  # a retry gets the same step back
            return _step_answer(state, _step(state, held["step_id"]), agent), []
        return {
            "kind": "blocked",
            "reason": f"step {held['step_id']!r} is held by {held['agent']!r} "
            f"(issued {held['issued_at']}); one step at a time per run",
            "step_id": held["step_id"],
            "held_by": held["agent"],
        }, []
    step = ready_step(state)
    if step is None:  # pragma: no cover - every step done means COMPLETED
        return {"kind": "blocked", "reason": "no step is ready", "step_id": None}, []
    events: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    missing = [k for k in step["requires_inputs"] if k not in state["inputs"]]
    for key in missing:
        did = decision_id(key)
        if did not in state["pending_decisions"]:
            request = {
                "step_id": step["id"],
                "input_key": key,
                "question": _question(step, key),
                "options": list(step.get("options") or []),
                "requested_at": now,
            }
            state["pending_decisions"][did] = request
            events.append(
                (
                    "DecisionInputRequested",
                    {
                        "run_id": state["run_id"],
                        "decision_id": did,
                        "step_id": step["id"],
                        "question": request["question"],
                        "options": request["options"],
                        "input_key": key,
                    },
                    service_actor(),
                )
            )
    if missing:
        did = decision_id(missing[0])
        request = state["pending_decisions"][did]
        answer = {
            "kind": "decision_required",
            "decision_id": did,
            "question": request["question"],
            "input_key": request["input_key"],
            "options": request["options"],
            "step_id": step["id"],
            "open_decisions": [decision_id(k) for k in missing],
        }
        return answer, events
    state["issued"] = {"step_id": step["id"], "agent": agent, "issued_at": now}
    state["issued_step_id"] = step["id"]
    events.append(
        (
            "NextStepIssued",
            {"run_id": state["run_id"], "step_id": step["id"], "agent_id": agent},
            service_actor(),
        )
    )
    return _step_answer(state, step, agent), events


def resolve(
    state: dict[str, Any], *, decision: str, answer: str, by: str, now: str
) -> tuple[bool, list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """Answer a pending decision; the same answer again is a no-op (returns False)."""
    done = state["decisions"].get(decision)
    if done is not None:
        if done["answer"] == answer:
            return False, []
        raise EngineError(
            "DECISION_ALREADY_ANSWERED",
            f"decision {decision!r} was already answered {done['answer']!r} by "
            f"{done['answered_by']!r}",
            {"decision_id": decision, "answer": done["answer"], "answered_by": done["answered_by"]},
        )
    request = state["pending_decisions"].pop(decision, None)
    if request is None:
        raise EngineError(
            "DECISION_NOT_FOUND",
            f"no open decision {decision!r}; `spec-kitty agent decision list` shows them",
            {"decision_id": decision, "open_decisions": sorted(state["pending_decisions"])},
        )
    state["decisions"][decision] = {
        **request,
        "answer": answer,
        "answered_by": by,
        "answered_at": now,
    }
    state["inputs"][request["input_key"]] = answer
    event = (
        "DecisionInputAnswered",
        {"run_id": state["run_id"], "decision_id": decision, "answer": answer},
        actor(by, "human"),
    )
    return True, [event]
