"""Reconcile sources: the facts this checkout's local logs hold (see ``_reconcile.sources``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._record import Fact


def status_facts(checkout_root: Path, build_id: str) -> Iterator[Fact]:
    """Every event line and transition of `kitty-specs/*/status.events.jsonl` stamped by
    ``build_id`` (streamed: memory does not grow with the logs)."""
    from spec_kitty_identity import main_root_of
    from spec_kitty_orchestrator_api import iter_stamped

    specs = main_root_of(checkout_root) / "kitty-specs"
    try:
        logs = sorted(specs.glob("*/status.events.jsonl"))
    except OSError:
        return
    for log in logs:
        yield from _log_facts(log, build_id, iter_stamped)


def _log_facts(log: Path, build_id: str, iter_stamped: Any) -> Iterator[Fact]:
    """The facts of one status log up to its first unreadable line (doctor and the reading
    commands report that line with its number; the facts after it wait for the repair)."""
    from spec_kitty_identity import as_structured

    from .._queue_sink import fact_of

    try:
        for event in iter_stamped(log, build_id=build_id):
            yield fact_of(event)
    except Exception as exc:
        if as_structured(exc) is None:  # a bug, not a bad line: let it surface
            raise
        return


MAX_RUN_LINE = 1024 * 1024  # one envelope line of a run log


def _open_committed(folder: Path, load_state: Any, name: str) -> tuple[int, Any] | None:
    """(committed size, open log) of one run folder, or None when either cannot be read."""
    from ..errors import CliError

    try:
        logged = int(load_state(folder)["events"]["logged"])
        return logged, (folder / name).open("rb")
    except (CliError, OSError, KeyError, TypeError, ValueError):
        return None


def run_facts(checkout_root: Path, build_id: str) -> Iterator[Fact]:
    """Every committed event of the runtime's run logs (`.kittify/runtime/runs/*/
    run.events.jsonl`, up to the size its state.json counts as logged) stamped by ``build_id``.

    Lines a crashed call left beyond that size are not facts (the run's next call cuts them), and
    a run whose state cannot be read is skipped (`spec-kitty doctor` and the run report it).
    """
    import json

    from spec_kitty_identity import main_root_of

    from ..runtime._store import EVENTS_FILE, load_state, runtime_dir

    runs = runtime_dir(main_root_of(checkout_root)) / "runs"
    try:
        folders = sorted(p for p in runs.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return
    for folder in folders:
        handle = _open_committed(folder, load_state, EVENTS_FILE)
        if handle is None:
            continue  # an unreadable run is reported by the run itself and by doctor
        logged, handle = handle
        with handle:
            read = 0
            while read < logged:
                raw = handle.readline(min(MAX_RUN_LINE, logged - read))
                if not raw:
                    break
                read += len(raw)
                try:
                    env = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(env, dict) or env.get("build_id") != build_id:
                    continue
                try:
                    yield Fact(
                        event_type=str(env["event_type"]),
                        aggregate_type=str(env["aggregate_type"]),
                        aggregate_id=str(env["aggregate_id"]),
                        payload=dict(env["payload"]),
                        event_id=str(env["event_id"]),
                        build_id=build_id,
                        node_id=str(env["node_id"]),
                        timestamp=str(env["timestamp"]),
                        causation_id=env.get("causation_id"),
                        correlation_id=env.get("correlation_id"),
                    )
                except (KeyError, TypeError, ValueError):
                    continue
