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


def _committed_log(folder: Path) -> tuple[int, Any] | None:
    """(committed size, open run log) of one run folder, or None when either cannot be read."""
    from ..errors import CliError
    from ..runtime._store import EVENTS_FILE, load_state

    try:
        logged = int(load_state(folder)["events"]["logged"])
        return logged, (folder / EVENTS_FILE).open("rb")
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

    from ..runtime._store import runtime_dir

    runs = runtime_dir(main_root_of(checkout_root)) / "runs"
    try:
        folders = sorted(p for p in runs.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return
    for folder in folders:
        opened = _committed_log(folder)
        if opened is None:
            continue  # an unreadable run is reported by the run itself and by doctor
        logged, handle = opened
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
                    fact = Fact.of_envelope(env)
                except KeyError:
                    continue
                yield fact
