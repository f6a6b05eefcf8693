"""The run-affecting orchestrator-api commands: start-implementation, start-review, transition,
append-history. Each validates its input, then decides and writes under the mission lock.

start-review follows the client's legacy branch (3.0.0 has no in_review lane): it sends a WP
in for_review back to in_progress for rework, carrying the review reference; approval is the
plain for_review -> done transition.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ._evidence import done_evidence, parse_evidence, workspace_path
from ._host import Host, unsatisfied
from ._lanes import check_transition, resolve_lane
from ._policy import parse_policy
from ._store import Change, Move, transact
from ._view import MissionView
from .errors import (
    DependenciesNotSatisfiedError,
    TransitionRejectedError,
    UsageError,
    WPAlreadyClaimedError,
)

POLICY_LANES = frozenset({"claimed", "in_progress", "for_review", "approved"})
COMPATIBLE_CLAIMANTS = frozenset({"implement-command", "unknown"})
EVIDENCE_LANES = frozenset({"approved", "done"})
MAX_NOTE_CHARS = 16 * 1024  # a note, reason or review reference on the command line


def _required(name: str, value: str | None, max_chars: int | None = None) -> str:
    from spec_kitty_identity import MAX_NAME_CHARS, InputRejected, check_text

    if value is None or not value.strip():
        raise UsageError(f"--{name} must not be empty", details={"param": f"--{name}"})
    try:
        check_text(value, max_chars=max_chars or MAX_NAME_CHARS)
    except InputRejected as exc:
        raise UsageError(
            f"--{name} {exc.message}", details={"param": f"--{name}", **exc.details}
        ) from exc
    return value.strip()


def _base(view: MissionView, wp_id: str) -> dict[str, Any]:
    return {**view.identity_fields(), "wp_id": wp_id}


def start_implementation(
    host: Host, mission: str, wp_id: str, actor: str, policy: str | None
) -> dict[str, Any]:
    """planned -> claimed -> in_progress (or claimed -> in_progress, or a no-op)."""
    recorded = parse_policy(policy, required=True)
    actor = _required("actor", actor)

    def decide(view: MissionView) -> Change:
        prompt = view.prompt_path(wp_id)
        lane, holder = view.lane(wp_id), view.status(wp_id).actor
        if lane in {"planned", "claimed"}:
            missing = unsatisfied(view, wp_id)
            if missing:
                raise DependenciesNotSatisfiedError(
                    f"{wp_id} depends on work packages that are not approved or done: "
                    f"{', '.join(missing)}",
                    details={
                        "wp_id": wp_id,
                        "reason": "dependencies_not_satisfied",
                        "unsatisfied_dependencies": missing,
                    },
                )
        compatible = holder == actor or holder in COMPATIBLE_CLAIMANTS
        if lane in {"claimed", "in_progress"} and not compatible:
            raise WPAlreadyClaimedError(
                f"{wp_id} is {lane} by {holder!r}",
                details={"wp_id": wp_id, "claimed_by": holder, "requesting_actor": actor},
            )
        moves: list[Move] = []
        if lane == "planned":
            moves.append(Move(wp_id=wp_id, from_lane="planned", to_lane="claimed", actor=actor))
        if lane in {"planned", "claimed"}:
            moves.append(Move(wp_id=wp_id, from_lane="claimed", to_lane="in_progress", actor=actor))
        elif lane != "in_progress":
            raise TransitionRejectedError(
                f"WP {wp_id} is in '{lane}', cannot start implementation",
                details={"wp_id": wp_id, "lane": lane},
            )
        result = {
            **_base(view, wp_id),
            "from_lane": lane,
            "to_lane": "in_progress",
            "workspace_path": str(workspace_path(view.root, view.slug, wp_id)),
            "prompt_path": str(prompt),
            "policy_metadata_recorded": True,
            "no_op": not moves,
        }
        return Change(moves=moves, policy_metadata=recorded, result=result)

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result


def start_review(
    host: Host, mission: str, wp_id: str, actor: str, policy: str | None, review_ref: str | None
) -> dict[str, Any]:
    """for_review -> in_progress with the review reference (rework; legacy 1.0 meaning)."""
    recorded = parse_policy(policy, required=True)
    actor = _required("actor", actor)
    if review_ref is not None:
        _required("review-ref", review_ref, MAX_NOTE_CHARS)
    if review_ref is not None:
        _required("review-ref", review_ref, MAX_NOTE_CHARS)

    def decide(view: MissionView) -> Change:
        prompt = view.prompt_path(wp_id)
        state = view.status(wp_id)
        result = {
            **_base(view, wp_id),
            "from_lane": state.lane,
            "to_lane": "in_progress",
            "prompt_path": str(prompt),
            "policy_metadata_recorded": True,
            "no_op": False,
        }
        repeat = state.last_from_lane == "for_review" and state.review_ref == review_ref
        if state.lane == "in_progress" and repeat and state.actor == actor:
            return Change(result={**result, "no_op": True})
        if state.lane != "for_review":
            raise TransitionRejectedError(
                f"WP {wp_id} is in '{state.lane}', start-review needs for_review",
                details={"wp_id": wp_id, "lane": state.lane},
            )
        move = Move(
            wp_id=wp_id,
            from_lane="for_review",
            to_lane="in_progress",
            actor=actor,
            reason="Review started: changes requested, back to implementation",
            review_ref=review_ref,
        )
        check_transition(**_guard_args(move))
        return Change(moves=[move], policy_metadata=recorded, result=result)

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result


def _guard_args(move: Move) -> dict[str, Any]:
    return {
        "wp_id": move.wp_id,
        "from_lane": move.from_lane,
        "to_lane": move.to_lane,
        "force": move.force,
        "actor": move.actor,
        "reason": move.reason,
        "review_ref": move.review_ref,
    }


def transition(
    host: Host,
    mission: str,
    wp_id: str,
    to_lane: str,
    actor: str,
    *,
    note: str | None = None,
    policy: str | None = None,
    force: bool = False,
    review_ref: str | None = None,
    evidence_json: str | None = None,
    subtasks_complete: bool | None = None,
    implementation_evidence_present: bool | None = None,
    policy_required: bool | None = None,
) -> dict[str, Any]:
    """One lane change, legal by the 3.0.0 table (or forced with actor and reason)."""
    target = resolve_lane(to_lane)
    required = target in POLICY_LANES if policy_required is None else policy_required
    recorded = parse_policy(policy, required=required)
    given = parse_evidence(evidence_json)
    actor = _required("actor", actor)
    for name, text in (("note", note), ("review-ref", review_ref)):
        if text is not None:
            _required(name, text, MAX_NOTE_CHARS)

    def decide(view: MissionView) -> Change:
        view.prompt_path(wp_id)
        from_lane = view.lane(wp_id)
        move = Move(
            wp_id=wp_id,
            from_lane=from_lane,
            to_lane=target,
            actor=actor,
            force=force,
            reason=note,
            review_ref=review_ref,
        )
        check_transition(**_guard_args(move))
        if target == "for_review" and not force:
            flags = {
                "subtasks_complete": subtasks_complete,
                "implementation_evidence_present": implementation_evidence_present,
            }
            false = [name for name, value in flags.items() if value is False]
            if false:
                raise TransitionRejectedError(
                    f"{from_lane} -> for_review needs {' and '.join(false)}",
                    details={"wp_id": wp_id, "guard": false},
                )
        if target in EVIDENCE_LANES:
            evidence = done_evidence(
                root=view.root,
                slug=view.slug,
                wp_id=wp_id,
                actor=actor,
                review_ref=review_ref,
                given=given,
                repo_name=host.repo_name(),
            )
            move = Move(**{**_guard_args(move), "evidence": evidence})
        result = {
            **_base(view, wp_id),
            "from_lane": from_lane,
            "to_lane": target,
            "policy_metadata_recorded": recorded is not None,
            "force": force,
        }
        return Change(moves=[move], policy_metadata=recorded, result=result)

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result


def append_history(host: Host, mission: str, wp_id: str, actor: str, note: str) -> dict[str, Any]:
    """An annotation line `- [<UTC time>] <actor>: <note>` on the WP (no lane change)."""
    actor = _required("actor", actor)
    note = _required("note", note, MAX_NOTE_CHARS)
    entry_id = "hist-" + uuid.uuid4().hex

    def decide(view: MissionView) -> Change:
        view.prompt_path(wp_id)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = f"- [{stamp}] {actor}: {note}"
        result = {**_base(view, wp_id), "history_entry_id": entry_id}
        return Change(notes=[(wp_id, actor, text)], result=result)

    return transact(host.root, mission, decide, sink=host.sink, origin=host.origin).change.result
