"""The `spec-kitty orchestrator-api` commands as one click-free table, and how they answer.

``COMMANDS`` holds, for each command, its help text, its options (flag name, destination, kind,
required, default, help) and how it calls spec_kitty_orchestrator_api (read-only or writing,
which options go positionally). Both front ends are generated from it: the click group in
``commands/orchestrator_api.py`` (help, the usual parser) and the click-free fast path in
``_orchestrator_fast_path.py`` (the hot path of an orchestrator), so they cannot drift apart.

``CommandSpec.run`` takes the parsed options (destination -> value) and returns the exit code
after printing exactly one JSON object on stdout — the seven-key envelope, checked by the
contract gate first. Importing this module imports neither click nor the command bodies.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import spec_kitty_orchestrator_api as api  # cheap: the package imports each name on first use

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

Params = dict[str, Any]
VALUE, FLAG, BOOL_PAIR = "value", "flag", "bool_pair"


class OptionSpec:
    """One option: ``--name VALUE`` (value), ``--name`` (flag) or ``--name/--no-name`` (bool pair).

    A plain slotted class, not a dataclass: this table is built on every call of the hot path,
    where generating two frozen dataclasses costs ~2 ms (``python -X importtime``, bytecode
    compiled: this module 2.1-2.6 ms with them, 0.3-0.4 ms without).
    """

    __slots__ = ("default", "dest", "help", "kind", "name", "required", "show_default")

    def __init__(
        self,
        *,
        name: str,
        dest: str,
        kind: str = VALUE,
        required: bool = False,
        default: str | bool | None = None,
        help: str | None = None,
        show_default: bool = False,
    ) -> None:
        self.name, self.dest, self.kind, self.required = name, dest, kind, required
        self.default, self.help, self.show_default = default, help, show_default

    @property
    def off_name(self) -> str:
        """The negative spelling of a bool pair (``--no-name``)."""
        return "--no-" + self.name[2:]


class CommandSpec:
    """One command: its help text, its options in declaration order, and what it calls.

    ``function`` returns the spec_kitty_orchestrator_api function the command runs (looked up
    on call, so a call imports only its own command's module). It is called with the mission
    host first (``access`` "read" or "write"; none for "none"), then the ``args`` destinations
    positionally and every other option by keyword. Slotted, like OptionSpec.
    """

    __slots__ = ("access", "args", "function", "help", "name", "options")

    def __init__(
        self,
        *,
        name: str,
        help: str,
        function: Callable[[], Callable[..., dict[str, Any]]],
        options: tuple[OptionSpec, ...],
        args: tuple[str, ...],
        access: str = "write",
    ) -> None:
        self.name, self.help, self.function = name, help, function
        self.options, self.args, self.access = options, args, access

    def run(self, params: Params) -> int:
        """Run the command on parsed options; print its one envelope; return the exit code."""
        function = self.function()
        args = [params[dest] for dest in self.args]
        keywords = {o.dest: params[o.dest] for o in self.options if o.dest not in self.args}
        if self.access == "none":
            return _answer(self.name, lambda: function(*args, **keywords))
        return _run(
            self.name,
            lambda host: function(host, *args, **keywords),
            self.access == "write",
            offers_work=self.name == "list-ready",
        )


# --- answering: one gated envelope per call -------------------------------------------------


def _print(envelope: dict[str, Any]) -> dict[str, Any]:
    sys.stdout.write(json.dumps(envelope, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return envelope


def _failure(command: str, exc: BaseException, cause: str) -> Any:
    """An infrastructure failure envelope (exit 1) for an exception without a contract code."""
    import os
    import traceback

    sys.stderr.write(f"spec-kitty: {cause}: {type(exc).__name__}: {exc}\n")
    if os.environ.get("SPEC_KITTY_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    response = api.error_response(command, exc)
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
    return emit(api.error_response("unknown", api.UsageError(message, details=details or {})))


def _answer(
    command: str, body: Callable[[], dict[str, Any]], correlation_id: str | None = None
) -> int:
    try:
        response = api.respond(command, body, correlation_id=correlation_id)
    except Exception as exc:  # a bug or an infrastructure failure: still one envelope
        response = _failure(command, exc, "INTERNAL_ERROR")
    return emit(response)


def _write_path_ready(checkout: Path) -> None:
    """Reads and writes agree: list-ready never offers work start-implementation would refuse
    for a reason unrelated to the WP. The write path needs this checkout's project identity;
    a config with a `project:` block is the cheap answer (no YAML import on the hot path),
    anything else is loaded the write path's way and raises its error."""
    from spec_kitty_identity import config_path

    try:
        text = config_path(checkout).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if any(line.rstrip() == "project:" for line in text.splitlines()):
        return
    from spec_kitty_identity import load_project_identity

    load_project_identity(checkout)


def _run(
    command: str, body: Callable[[Any], dict[str, Any]], writes: bool, *, offers_work: bool = False
) -> int:
    from ._project import checkout_root, main_repo_root

    def call() -> dict[str, Any]:
        # Mission state lives in the main repository (the client runs append-history from its
        # orchestrator worktree); events are stamped and queued by the invoking checkout.
        root = main_repo_root()
        if offers_work:
            _write_path_ready(checkout_root())
        if not writes:
            return body(api.Host(root))
        from ._queue_sink import QueueSink

        checkout = checkout_root()
        return body(api.Host(root, sink=QueueSink(checkout), checkout=checkout))

    return _answer(command, call, api.new_correlation_id())


# --- the table ------------------------------------------------------------------------------


def _value(name: str, dest: str, help: str, *, required: bool = False) -> OptionSpec:
    return OptionSpec(name=name, dest=dest, required=required, help=help)


def _flag(name: str, dest: str, help: str) -> OptionSpec:
    return OptionSpec(name=name, dest=dest, kind=FLAG, default=False, help=help)


def _pair(name: str, dest: str, help: str) -> OptionSpec:  # --name/--no-name, None when absent
    return OptionSpec(name=name, dest=dest, kind=BOOL_PAIR, help=help)


_MISSION = _value("--mission", "mission", "Mission slug, mission_id or prefix.", required=True)
_WP = _value("--wp", "wp_id", "Work package id, e.g. WP01.", required=True)
_ACTOR = _value("--actor", "actor", "Who acts (the orchestrator id).", required=True)
_POLICY = _value("--policy", "policy", "Policy metadata JSON.")
_STRATEGY = OptionSpec(
    name="--strategy",
    dest="strategy",
    default="merge",
    show_default=True,
    help="merge, squash or rebase.",
)


def _read_only(
    name: str, function: Callable[[], Callable[..., dict[str, Any]]], help: str
) -> CommandSpec:
    """A read-only command of one mission: ``--mission`` only, no events."""
    return CommandSpec(
        name=name,
        function=function,
        help=help,
        options=(_MISSION,),
        args=("mission",),
        access="read",
    )


GROUP_HELP = "Host API for orchestrators: one JSON envelope per call (contract 1.0.0)."

_SPECS = (
    CommandSpec(
        name="contract-version",
        function=lambda: api.contract_version,
        help="The host's contract version and the minimum provider version.",
        options=(_value("--provider-version", "provider_version", "Check this provider version."),),
        args=("provider_version",),
        access="none",
    ),
    _read_only(
        "mission-state",
        lambda: api.mission_state,
        "Every work package: lane, dependencies, last actor (read-only).",
    ),
    _read_only(
        "list-ready",
        lambda: api.list_ready,
        "Planned work packages whose dependencies are approved or done (read-only).",
    ),
    CommandSpec(
        name="start-implementation",
        function=lambda: api.start_implementation,
        help="Claim a work package and move it to in_progress.",
        options=(_MISSION, _WP, _ACTOR, _POLICY),
        args=("mission", "wp_id", "actor", "policy"),
    ),
    CommandSpec(
        name="start-review",
        function=lambda: api.start_review,
        help="Send a work package in for_review back to in_progress for rework.",
        options=(
            *(_MISSION, _WP, _ACTOR, _POLICY),
            _value("--review-ref", "review_ref", "Reference of the review feedback."),
        ),
        args=("mission", "wp_id", "actor", "policy", "review_ref"),
    ),
    CommandSpec(
        name="transition",
        function=lambda: api.transition,
        help="Move a work package to another lane.",
        options=(
            _MISSION,
            _WP,
            _value("--to", "to_lane", "Target lane (3.0.0 lanes).", required=True),
            _ACTOR,
            _value("--note", "note", "Reason (required with --force)."),
            _POLICY,
            _flag("--force", "force", "Bypass the transition table."),
            _value("--review-ref", "review_ref", "Review reference."),
            _value("--evidence-json", "evidence_json", "DoneEvidence JSON for approved/done."),
            _pair(
                "--subtasks-complete",
                "subtasks_complete",
                "Guard input for for_review: the caller says every subtask is done (--no-: not).",
            ),
            _pair(
                "--implementation-evidence-present",
                "implementation_evidence_present",
                "Guard input for for_review: the caller says implementation evidence exists.",
            ),
        ),
        args=("mission", "wp_id", "to_lane", "actor"),
    ),
    CommandSpec(
        name="append-history",
        function=lambda: api.append_history,
        help="Add a note to a work package's history (status log annotation).",
        options=(
            *(_MISSION, _WP, _ACTOR),
            _value("--note", "note", "The history note.", required=True),
        ),
        args=("mission", "wp_id", "actor", "note"),
    ),
    CommandSpec(
        name="accept-mission",
        function=lambda: api.accept_mission,
        help="Accept a mission whose work packages are all approved or done.",
        options=(_MISSION, _ACTOR),
        args=("mission", "actor"),
    ),
    CommandSpec(
        name="merge-mission",
        function=lambda: api.merge_mission,
        help="Merge every work package's work into the target branch.",
        options=(
            _MISSION,
            _value("--target", "target", "Target branch (default: the mission's)."),
            _STRATEGY,
            _flag("--push", "push", "Push the target branch to origin."),
        ),
        args=("mission",),
    ),
)

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}
