"""The `spec-kitty orchestrator-api` commands as one click-free table, and how they answer.

``COMMANDS`` holds, for each command, its help text, its options (flag name, destination, kind,
required, default, help) and the function that runs it. Both front ends are generated from it:
the click group in ``commands/orchestrator_api.py`` (help, the usual parser) and the click-free
fast path in ``_orch_fast.py`` (the hot path of an orchestrator), so they cannot drift apart.

Every run function takes the parsed options (destination -> value) and returns the exit code
after printing exactly one JSON object on stdout — the seven-key envelope, checked by the
contract gate first. Importing this module imports neither click nor the command bodies.
"""

from __future__ import annotations

import json
import sys
from typing import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Params = dict[str, Any]

VALUE, FLAG, BOOL_PAIR = "value", "flag", "bool_pair"


# Immutable records; NamedTuple rather than dataclass: a third of the class-creation cost.
class OptionSpec(NamedTuple):
    """One option: ``--name VALUE`` (value), ``--name`` (flag) or ``--name/--no-name`` (bool pair)."""

    name: str
    dest: str
    kind: str = VALUE
    required: bool = False
    default: str | bool | None = None
    help: str | None = None
    show_default: bool = False

    @property
    def off_name(self) -> str:
        """The negative spelling of a bool pair (``--no-name``)."""
        return "--no-" + self.name[2:]


class CommandSpec(NamedTuple):
    """One command: its help text, its options in declaration order and its run function."""

    name: str
    help: str
    options: tuple[OptionSpec, ...]
    run: Callable[[Params], int]


# --- answering: one gated envelope per call -------------------------------------------------


def _print(envelope: dict[str, Any]) -> dict[str, Any]:
    sys.stdout.write(json.dumps(envelope, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return envelope


def _failure(command: str, exc: BaseException, cause: str) -> Any:
    """An infrastructure failure envelope (exit 1) for an exception without a contract code."""
    import os
    import traceback

    from spec_kitty_orchestrator_api import error_response

    sys.stderr.write(f"spec-kitty: {cause}: {type(exc).__name__}: {exc}\n")
    if os.environ.get("SPEC_KITTY_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    response = error_response(command, exc)
    response.envelope["data"].setdefault("cause", cause)
    return type(response)(envelope=response.envelope, exit_code=1)


def _gate(envelope: dict[str, Any]) -> Exception | None:
    try:
        from spec_kitty_gate import check

        check("orchestrator_response", envelope)
    except Exception as exc:  # a violation, or a gate that cannot run: fail closed
        return exc
    return None


def emit(response: Any) -> int:
    """Gate the envelope, print it (one line) and return the exit code.

    An envelope the gate refuses (or cannot check) is never printed: a failure envelope naming
    the cause is printed instead, so stdout always holds exactly one JSON object.
    """
    problem = _gate(response.envelope)
    if problem is not None:
        command = str(response.envelope.get("command", "")).rpartition(".")[2] or "unknown"
        response = _failure(command, problem, "CONTRACT_GATE_REFUSED")
    _print(response.envelope)
    return int(response.exit_code)


def usage_error(message: str, details: dict[str, Any] | None = None) -> int:
    """A parse error: USAGE_ERROR envelope, command "unknown", exit 2."""
    from spec_kitty_orchestrator_api import UsageError, error_response

    return emit(error_response("unknown", UsageError(message, details=details or {})))


def _answer(
    command: str, body: Callable[[], dict[str, Any]], correlation_id: str | None = None
) -> int:
    from spec_kitty_orchestrator_api import respond

    try:
        response = respond(command, body, correlation_id=correlation_id)
    except Exception as exc:  # a bug or an infrastructure failure: still one envelope
        response = _failure(command, exc, "INTERNAL_ERROR")
    return emit(response)


def _run(command: str, body: Callable[[Any], dict[str, Any]], *, writes: bool = False) -> int:
    from spec_kitty_orchestrator_api import Host, new_correlation_id

    from ._project import checkout_root, main_repo_root

    def call() -> dict[str, Any]:
        # Mission state lives in the main repository (the client runs append-history from its
        # orchestrator worktree); events are stamped and queued by the invoking checkout.
        root = main_repo_root()
        if not writes:
            return body(Host(root))
        from ._orch_sink import QueueSink

        checkout = checkout_root()
        return body(Host(root, sink=QueueSink(checkout), checkout=checkout))

    return _answer(command, call, new_correlation_id())


# --- the commands ---------------------------------------------------------------------------


def _contract_version(p: Params) -> int:
    from spec_kitty_orchestrator_api import contract_version

    return _answer("contract-version", lambda: contract_version(p["provider_version"]))


def _mission_state(p: Params) -> int:
    from spec_kitty_orchestrator_api import mission_state

    return _run("mission-state", lambda h: mission_state(h, p["mission"]))


def _list_ready(p: Params) -> int:
    from spec_kitty_orchestrator_api import list_ready

    return _run("list-ready", lambda h: list_ready(h, p["mission"]))


def _start_implementation(p: Params) -> int:
    from spec_kitty_orchestrator_api import start_implementation as run

    def body(h: Any) -> dict[str, Any]:
        return run(h, p["mission"], p["wp_id"], p["actor"], p["policy"])

    return _run("start-implementation", body, writes=True)


def _start_review(p: Params) -> int:
    from spec_kitty_orchestrator_api import start_review as run

    def body(h: Any) -> dict[str, Any]:
        return run(h, p["mission"], p["wp_id"], p["actor"], p["policy"], p["review_ref"])

    return _run("start-review", body, writes=True)


_TRANSITION_KEYWORDS = (
    "note",
    "policy",
    "force",
    "review_ref",
    "evidence_json",
    "subtasks_complete",
    "implementation_evidence_present",
)


def _transition(p: Params) -> int:
    from spec_kitty_orchestrator_api import transition as run

    def body(h: Any) -> dict[str, Any]:
        extra = {key: p[key] for key in _TRANSITION_KEYWORDS}
        return run(h, p["mission"], p["wp_id"], p["to_lane"], p["actor"], **extra)

    return _run("transition", body, writes=True)


def _append_history(p: Params) -> int:
    from spec_kitty_orchestrator_api import append_history as run

    def body(h: Any) -> dict[str, Any]:
        return run(h, p["mission"], p["wp_id"], p["actor"], p["note"])

    return _run("append-history", body, writes=True)


def _accept_mission(p: Params) -> int:
    from spec_kitty_orchestrator_api import accept_mission as run

    return _run("accept-mission", lambda h: run(h, p["mission"], p["actor"]), writes=True)


def _merge_mission(p: Params) -> int:
    from spec_kitty_orchestrator_api import merge_mission as run

    def body(h: Any) -> dict[str, Any]:
        return run(h, p["mission"], target=p["target"], strategy=p["strategy"], push=p["push"])

    return _run("merge-mission", body, writes=True)


# --- the table ------------------------------------------------------------------------------

_MISSION = OptionSpec(
    name="--mission", dest="mission", required=True, help="Mission slug, mission_id or prefix."
)
_WP = OptionSpec(name="--wp", dest="wp_id", required=True, help="Work package id, e.g. WP01.")
_ACTOR = OptionSpec(
    name="--actor", dest="actor", required=True, help="Who acts (the orchestrator id)."
)
_POLICY = OptionSpec(name="--policy", dest="policy", help="Policy metadata JSON.")

GROUP_HELP = "Host API for orchestrators: one JSON envelope per call (contract 1.0.0)."

_SPECS = (
    CommandSpec(
        name="contract-version",
        help="The host's contract version and the minimum provider version.",
        options=(
            OptionSpec(
                name="--provider-version",
                dest="provider_version",
                help="Check this provider version.",
            ),
        ),
        run=_contract_version,
    ),
    CommandSpec(
        name="mission-state",
        help="Every work package: lane, dependencies, last actor (read-only).",
        options=(_MISSION,),
        run=_mission_state,
    ),
    CommandSpec(
        name="list-ready",
        help="Planned work packages whose dependencies are approved or done (read-only).",
        options=(_MISSION,),
        run=_list_ready,
    ),
    CommandSpec(
        name="start-implementation",
        help="Claim a work package and move it to in_progress.",
        options=(_MISSION, _WP, _ACTOR, _POLICY),
        run=_start_implementation,
    ),
    CommandSpec(
        name="start-review",
        help="Send a work package in for_review back to in_progress for rework.",
        options=(
            _MISSION,
            _WP,
            _ACTOR,
            _POLICY,
            OptionSpec(
                name="--review-ref", dest="review_ref", help="Reference of the review feedback."
            ),
        ),
        run=_start_review,
    ),
    CommandSpec(
        name="transition",
        help="Move a work package to another lane.",
        options=(
            _MISSION,
            _WP,
            OptionSpec(
                name="--to", dest="to_lane", required=True, help="Target lane (3.0.0 lanes)."
            ),
            _ACTOR,
            OptionSpec(name="--note", dest="note", help="Reason (required with --force)."),
            _POLICY,
            OptionSpec(
                name="--force",
                dest="force",
                kind=FLAG,
                default=False,
                help="Bypass the transition table.",
            ),
            OptionSpec(name="--review-ref", dest="review_ref", help="Review reference."),
            OptionSpec(
                name="--evidence-json",
                dest="evidence_json",
                help="DoneEvidence JSON for approved/done.",
            ),
            OptionSpec(name="--subtasks-complete", dest="subtasks_complete", kind=BOOL_PAIR),
            OptionSpec(
                name="--implementation-evidence-present",
                dest="implementation_evidence_present",
                kind=BOOL_PAIR,
            ),
        ),
        run=_transition,
    ),
    CommandSpec(
        name="append-history",
        help="Add a note to a work package's history (status log annotation).",
        options=(
            _MISSION,
            _WP,
            _ACTOR,
            OptionSpec(name="--note", dest="note", required=True, help="The history note."),
        ),
        run=_append_history,
    ),
    CommandSpec(
        name="accept-mission",
        help="Accept a mission whose work packages are all approved or done.",
        options=(_MISSION, _ACTOR),
        run=_accept_mission,
    ),
    CommandSpec(
        name="merge-mission",
        help="Merge every work package's work into the target branch.",
        options=(
            _MISSION,
            OptionSpec(
                name="--target", dest="target", help="Target branch (default: the mission's)."
            ),
            OptionSpec(
                name="--strategy",
                dest="strategy",
                default="merge",
                show_default=True,
                help="merge, squash or rebase.",
            ),
            OptionSpec(
                name="--push",
                dest="push",
                kind=FLAG,
                default=False,
                help="Push the target branch to origin.",
            ),
        ),
        run=_merge_mission,
    ),
)

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}
