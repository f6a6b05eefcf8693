"""`spec-kitty orchestrator-api <command>`: the host API for orchestrators (contract 1.0.0).

Every call prints exactly one JSON object on stdout — the seven-key envelope, checked by the
contract gate first — and nothing else; logs go to stderr. Parse errors (unknown command or
option, missing value) answer a USAGE_ERROR envelope with command "orchestrator-api.unknown"
and exit 2. Only the mission-era names exist: there is no alias for any other name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


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


def render_error(exc: BaseException) -> int:
    """Parse errors (USAGE_ERROR, exit 2) and anything unexpected, command "unknown"."""
    from spec_kitty_orchestrator_api import UsageError, error_response

    if isinstance(exc, click.ClickException):
        details: dict[str, Any] = {}
        if getattr(exc, "param_hint", None):
            details["param"] = str(getattr(exc, "param_hint", ""))
        wrapped = UsageError(exc.format_message(), details=details)
        return emit(error_response("unknown", wrapped))
    if isinstance(getattr(exc, "code", None), str) and isinstance(
        getattr(exc, "details", None), dict
    ):
        return emit(error_response("unknown", exc))
    return emit(_failure("unknown", exc, "INTERNAL_ERROR"))


def _run(command: str, body: Callable[[Any], dict[str, Any]], *, writes: bool = False) -> None:
    from spec_kitty_orchestrator_api import Host, new_correlation_id, respond

    from .._project import checkout_root, main_repo_root

    correlation_id = new_correlation_id()

    def call() -> dict[str, Any]:
        # Mission state lives in the main repository (the client runs append-history from its
        # orchestrator worktree); events are stamped and queued by the invoking checkout.
        root = main_repo_root()
        if not writes:
            return body(Host(root))
        from .._orch_sink import QueueSink

        checkout = checkout_root()
        return body(Host(root, sink=QueueSink(checkout), checkout=checkout))

    try:
        response = respond(command, call, correlation_id=correlation_id)
    except Exception as exc:  # a bug or an infrastructure failure: still one envelope
        response = _failure(command, exc, "INTERNAL_ERROR")
    raise click.exceptions.Exit(emit(response))


@click.group("orchestrator-api", no_args_is_help=False)
def orchestrator_api() -> None:
    """Host API for orchestrators: one JSON envelope per call (contract 1.0.0)."""


def _mission(func: F) -> F:
    return click.option("--mission", required=True, help="Mission slug, mission_id or prefix.")(
        func
    )


def _wp(func: F) -> F:
    return click.option("--wp", "wp_id", required=True, help="Work package id, e.g. WP01.")(func)


def _actor(func: F) -> F:
    return click.option("--actor", required=True, help="Who acts (the orchestrator id).")(func)


def _policy(func: F) -> F:
    return click.option("--policy", default=None, help="Policy metadata JSON.")(func)


@orchestrator_api.command("contract-version")
@click.option("--provider-version", default=None, help="Check this provider version.")
def contract_version(provider_version: str | None) -> None:
    """The host's contract version and the minimum provider version."""
    from spec_kitty_orchestrator_api import contract_version as run
    from spec_kitty_orchestrator_api import respond

    raise click.exceptions.Exit(emit(respond("contract-version", lambda: run(provider_version))))


@orchestrator_api.command("mission-state")
@_mission
def mission_state(mission: str) -> None:
    """Every work package: lane, dependencies, last actor (read-only)."""
    from spec_kitty_orchestrator_api import mission_state as run

    _run("mission-state", lambda host: run(host, mission))


@orchestrator_api.command("list-ready")
@_mission
def list_ready(mission: str) -> None:
    """Planned work packages whose dependencies are approved or done (read-only)."""
    from spec_kitty_orchestrator_api import list_ready as run

    _run("list-ready", lambda host: run(host, mission))


@orchestrator_api.command("start-implementation")
@_mission
@_wp
@_actor
@_policy
def start_implementation(mission: str, wp_id: str, actor: str, policy: str | None) -> None:
    """Claim a work package and move it to in_progress."""
    from spec_kitty_orchestrator_api import start_implementation as run

    _run("start-implementation", lambda h: run(h, mission, wp_id, actor, policy), writes=True)


@orchestrator_api.command("start-review")
@_mission
@_wp
@_actor
@_policy
@click.option("--review-ref", default=None, help="Reference of the review feedback.")
def start_review(
    mission: str, wp_id: str, actor: str, policy: str | None, review_ref: str | None
) -> None:
    """Send a work package in for_review back to in_progress for rework."""
    from spec_kitty_orchestrator_api import start_review as run

    _run("start-review", lambda h: run(h, mission, wp_id, actor, policy, review_ref), writes=True)


@orchestrator_api.command("transition")
@_mission
@_wp
@click.option("--to", "to_lane", required=True, help="Target lane (3.0.0 lanes).")
@_actor
@click.option("--note", default=None, help="Reason (required with --force).")
@_policy
@click.option("--force", is_flag=True, default=False, help="Bypass the transition table.")
@click.option("--review-ref", default=None, help="Review reference.")
@click.option("--evidence-json", default=None, help="DoneEvidence JSON for approved/done.")
@click.option("--subtasks-complete/--no-subtasks-complete", default=None)
@click.option(
    "--implementation-evidence-present/--no-implementation-evidence-present", default=None
)
def transition(
    mission: str,
    wp_id: str,
    to_lane: str,
    actor: str,
    note: str | None,
    policy: str | None,
    force: bool,
    review_ref: str | None,
    evidence_json: str | None,
    subtasks_complete: bool | None,
    implementation_evidence_present: bool | None,
) -> None:
    """Move a work package to another lane."""
    from spec_kitty_orchestrator_api import transition as run

    def body(host: Any) -> dict[str, Any]:
        return run(
            host,
            mission,
            wp_id,
            to_lane,
            actor,
            note=note,
            policy=policy,
            force=force,
            review_ref=review_ref,
            evidence_json=evidence_json,
            subtasks_complete=subtasks_complete,
            implementation_evidence_present=implementation_evidence_present,
        )

    _run("transition", body, writes=True)


@orchestrator_api.command("append-history")
@_mission
@_wp
@_actor
@click.option("--note", required=True, help="The history note.")
def append_history(mission: str, wp_id: str, actor: str, note: str) -> None:
    """Add a note to a work package's history (status log annotation)."""
    from spec_kitty_orchestrator_api import append_history as run

    _run("append-history", lambda h: run(h, mission, wp_id, actor, note), writes=True)


@orchestrator_api.command("accept-mission")
@_mission
@_actor
def accept_mission(mission: str, actor: str) -> None:
    """Accept a mission whose work packages are all approved or done."""
    from spec_kitty_orchestrator_api import accept_mission as run

    _run("accept-mission", lambda h: run(h, mission, actor), writes=True)


@orchestrator_api.command("merge-mission")
@_mission
@click.option("--target", default=None, help="Target branch (default: the mission's).")
@click.option("--strategy", default="merge", show_default=True, help="merge, squash or rebase.")
@click.option("--push", is_flag=True, default=False, help="Push the target branch to origin.")
def merge_mission(mission: str, target: str | None, strategy: str, push: bool) -> None:
    """Merge every work package's work into the target branch."""
    from spec_kitty_orchestrator_api import merge_mission as run

    _run(
        "merge-mission",
        lambda h: run(h, mission, target=target, strategy=strategy, push=push),
        writes=True,
    )
