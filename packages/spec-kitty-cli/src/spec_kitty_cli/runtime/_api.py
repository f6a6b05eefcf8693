"""The runtime's operations: `next`, `decision resolve`, `decision list` (no printing here).

Each operation finds the mission's run (a built-in mission type starts its run on the first
`next`), takes the run lock, changes the state with ``_engine``, and commits the events with
``_log``. Every answer is a plain dict for the CLI envelope.
"""

from __future__ import annotations

from ._engine import RESULTS, EngineError, decide, record_result, resolve
from ._log import commit, repair
from ._start import find_run, now_text
from ._store import LOCK_FILE, RunLock, load_state, runtime_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

BUILTIN_TYPES = frozenset({"documentation", "plan", "research", "software-dev"})
MAX_TEXT = 10_000  # bytes of an agent name or an answer


def _text(name: str, value: str, limit: int = MAX_TEXT) -> str:
    from ..errors import CliError

    value = value.strip()
    if not value or len(value.encode("utf-8", "surrogatepass")) > limit or "\x00" in value:
        raise CliError(
            "RUN_INPUT_INVALID",
            f"{name} must be non-empty text of at most {limit} bytes",
            details={"param": name, "max_bytes": limit},
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CliError(
            "RUN_INPUT_INVALID",
            f"{name} is not valid UTF-8 text",
            details={"param": name, "reason": exc.reason},
        ) from exc
    return value


def _mission(root: Path, selector: str) -> Any:
    from spec_kitty_identity import resolve_mission

    return resolve_mission(root, selector)


def _start_builtin(checkout: Path, root: Path, ref: Any) -> tuple[Path, bool]:
    from ..builtin_missions import BUILTIN_MISSIONS_ROOT, BUILTIN_STEP_CONTRACTS_ROOT
    from ..missions_custom._contracts import contract_ids
    from ..missions_custom._definition import load_definition
    from ._plan import build_plan
    from ._start import index_lock, start_run

    runtime = runtime_dir(root)
    with index_lock(runtime):
        found = find_run(runtime, ref.slug, ref.identity.mission_id)
        if found is not None:
            return found[0], False
        key = ref.identity.mission_type
        definition = load_definition(BUILTIN_MISSIONS_ROOT / key / "mission.yaml")
        plan = build_plan(definition, contract_ids(BUILTIN_STEP_CONTRACTS_ROOT, root))
        _, run_dir = start_run(
            checkout,
            runtime,
            definition=definition,
            plan=plan,
            tier="builtin",
            mission_slug=ref.slug,
            mission_id=ref.identity.mission_id,
        )
        return run_dir, True


def locate_run(checkout: Path, root: Path, selector: str, *, start: bool) -> tuple[Any, Path, bool]:
    """The mission, its run folder, and whether this call started the run (a built-in mission
    type starts its run when ``start``)."""
    from ..errors import CliError

    ref = _mission(root, selector)
    found = find_run(runtime_dir(root), ref.slug, ref.identity.mission_id)
    if found is not None:
        return ref, found[0], False
    mission_type = ref.identity.mission_type
    if start and mission_type in BUILTIN_TYPES:
        run_dir, started = _start_builtin(checkout, root, ref)
        return ref, run_dir, started
    hint = (
        f"spec-kitty next --mission {ref.slug}"
        if mission_type in BUILTIN_TYPES
        else f"spec-kitty mission run {mission_type} --mission {ref.slug}"
    )
    raise CliError(
        "RUN_NOT_STARTED",
        f"mission {ref.slug} has no run yet; start it with `{hint}`",
        details={"mission_slug": ref.slug, "mission_type": mission_type, "hint": hint},
    )


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data``, by CPython's built-in implementation when it has one (the same
    digest as hashlib's, without loading OpenSSL: every `next` checks the definition)."""
    import importlib

    for name in ("_sha256", "_sha2"):  # 3.11, 3.12+
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    import hashlib  # pragma: no cover - an interpreter without the built-in module

    return hashlib.sha256(data).hexdigest()  # pragma: no cover


def _drift(state: dict[str, Any]) -> list[dict[str, Any]]:
    """A warning when the live definition file differs from the frozen one."""
    path = state["template_path"]
    try:
        with open(path, "rb") as handle:
            live: str | None = sha256_hex(handle.read())
    except OSError:
        live = None
    if live == state["template_hash"]:
        return []
    what = "was removed" if live is None else "changed since the run started"
    return [
        {
            "code": "MISSION_DEFINITION_CHANGED",
            "message": f"{path} {what}; this run keeps planning from its frozen copy",
            "details": {"file": path, "frozen_hash": state["template_hash"], "live_hash": live},
        }
    ]


def _refuse(exc: EngineError) -> Exception:
    from ..errors import CliError

    return CliError(exc.code, exc.message, details=exc.details)


def _header(ref: Any, state: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    return {
        "mission_slug": ref.slug,
        "mission_id": ref.identity.mission_id,
        "mission_type": state["mission_type"],
        "run_id": state["run_id"],
        "run_dir": str(run_dir),
        "run_status": state["status"],
    }


def next_action(
    checkout: Path,
    root: Path,
    selector: str,
    *,
    agent: str,
    result: str | None = None,
    step_id: str | None = None,
) -> dict[str, Any]:
    """Record ``result`` (if given) for the step ``agent`` holds, then decide the next action."""
    from ..errors import CliError

    agent = _text("--agent", agent, 200)
    if result is not None and result not in RESULTS:
        raise CliError(
            "RUN_INPUT_INVALID",
            f"--result must be one of {', '.join(RESULTS)}",
            details={"param": "--result", "allowed": list(RESULTS)},
        )
    ref, run_dir, started = locate_run(checkout, root, selector, start=True)
    with RunLock(run_dir / LOCK_FILE):
        state = load_state(run_dir)
        repair(run_dir, state)
        now = now_text()
        try:
            events = (
                record_result(state, agent=agent, result=result, step_id=step_id, now=now)
                if result is not None
                else []
            )
            answer, more = decide(state, agent=agent, now=now)
        except EngineError as exc:
            raise _refuse(exc) from exc
        envelopes = commit(checkout, run_dir, state, events + more)
    return {
        **_header(ref, state, run_dir),
        **answer,
        "events": ["MissionRunStarted"] * started + [e["event_type"] for e in envelopes],
        "warnings": _drift(state),
    }


def resolve_decision(
    checkout: Path, root: Path, selector: str, decision: str, *, answer: str, by: str
) -> dict[str, Any]:
    """Answer an open decision of the mission's run."""
    answer = _text("--final-answer", answer)
    by = _text("--actor", by, 200)
    ref, run_dir, _ = locate_run(checkout, root, selector, start=False)
    with RunLock(run_dir / LOCK_FILE):
        state = load_state(run_dir)
        repair(run_dir, state)
        try:
            changed, events = resolve(
                state, decision=decision, answer=answer, by=by, now=now_text()
            )
        except EngineError as exc:
            raise _refuse(exc) from exc
        commit(checkout, run_dir, state, events)
    return {
        **_header(ref, state, run_dir),
        "decision_id": decision,
        "answer": answer,
        "answered_by": state["decisions"][decision]["answered_by"],
        "recorded": changed,
    }


def list_decisions(checkout: Path, root: Path, selector: str) -> dict[str, Any]:
    """The open and answered decisions of the mission's run (read-only)."""
    ref, run_dir, _ = locate_run(checkout, root, selector, start=False)
    state = load_state(run_dir)
    open_ = [{"decision_id": k, **v} for k, v in sorted(state["pending_decisions"].items())]
    answered = [{"decision_id": k, **v} for k, v in sorted(state["decisions"].items())]
    return {**_header(ref, state, run_dir), "open": open_, "answered": answered}
