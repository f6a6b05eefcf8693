"""Benchmark: emitting, queueing and draining spec-kitty events (1k vs 10k, linear scaling).

    uv run python benchmarks/bench_events.py [--sizes 1000,10000] [--repeat 3] [--validate]

Measures, per size N, in a fresh checkout each time:

- emit_event      the real emit path: identity, Lamport clock tick (file lock + atomic write),
                  envelope, contract gate, one SQLite transaction per event
- queue.append    gate + one SQLite transaction per event (no clock, no identity)
- queue insert    the raw journal insert without the gate (one transaction per event)
- sqlite3 ref     plain sqlite3 INSERTs of the same JSON text, same pragmas, one transaction each
- drain           `sync` delivery of all N events to a loopback SaaS stub (batches of 500, gzip);
                  with --validate the stub also validates each envelope with spec-kitty-events

Prints events/s per row (best of --repeat runs) and the 10k/1k rate ratio (about 1.0 = linear;
the machine is shared, so compare with the sqlite3 reference row to judge the noise).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests-integration"))


def _checkout(base: Path, name: str) -> Path:
    from spec_kitty_identity import init_project

    root = base / name
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    init_project(root)
    return root


def _payload(n: int) -> dict[str, Any]:
    return {"mission_slug": f"{n:03d}-bench", "mission_number": n, "mission_type": "software-dev"}


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_size(base: Path, n: int, *, validate: bool) -> dict[str, float]:
    from saas_stub import SaasStub

    from spec_kitty_bodysync.delivery import DeliverySettings
    from spec_kitty_cli._events import (
        EventQueue,
        build_envelope,
        canonical_json,
        checkout_identity,
        drain_checkout,
        emit_event,
        queue_path,
    )

    rates: dict[str, float] = {}
    root = _checkout(base, f"emit-{n}")

    def emit_all() -> None:
        for i in range(1, n + 1):
            emit_event(
                root,
                event_type="MissionCreated",
                aggregate_type="Mission",
                aggregate_id=f"m-{i}",
                payload=_payload(i),
            )

    rates["emit_event (gate, clock, 1 txn/event)"] = n / _timed(emit_all)

    other = _checkout(base, f"append-{n}")
    ident = checkout_identity(other)
    envs = [
        build_envelope(
            ident,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id=f"m-{i}",
            payload=_payload(i),
            lamport_clock=i,
        )
        for i in range(1, 2 * n + 1)
    ]
    with EventQueue(queue_path(other)) as queue:
        rates["queue.append (gate, 1 txn/event)"] = n / _timed(
            lambda: [queue.append(e) for e in envs[:n]]
        )
        rates["queue insert (no gate, 1 txn/event)"] = n / _timed(
            lambda: [queue._insert([e]) for e in envs[n:]]
        )

    ref = base / f"ref-{n}.db"
    ref.parent.mkdir(parents=True, exist_ok=True)
    texts = [canonical_json(e) for e in envs[:n]]
    with contextlib.closing(sqlite3.connect(ref, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE t (event_id TEXT PRIMARY KEY, envelope TEXT NOT NULL)")

        def raw() -> None:
            for e, text in zip(envs[:n], texts, strict=True):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t VALUES (?, ?)", (e["event_id"], text))
                conn.execute("COMMIT")

        rates["sqlite3 reference (1 txn/insert)"] = n / _timed(raw)

    settings = DeliverySettings(
        timeout=60, backoff_base=0.01, backoff_max=0.1, max_attempts=3, deadline=600, batch_size=500
    )
    with SaasStub(validate=validate) as stub:
        report = None

        def drain() -> None:
            nonlocal report
            report = drain_checkout(root, server_url=stub.url, token=stub.token, settings=settings)

        label = "drain to loopback stub" + (" (server validates)" if validate else "")
        rates[label] = n / _timed(drain)
        assert report is not None and report.delivered == n, report
        assert len(stub.success_counts) == n
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per size; the best rate per row is kept"
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="the stub validates every envelope with spec-kitty-events",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sk-bench-") as tmp:
        base = Path(tmp)
        os.environ["SPEC_KITTY_HOME"] = str(base / "home")
        results: dict[int, dict[str, float]] = {}
        for n in sizes:
            runs = [
                bench_size(base / f"run{r}", n, validate=args.validate)
                for r in range(max(1, args.repeat))
            ]
            results[n] = {label: max(run[label] for run in runs) for label in runs[0]}
    labels = list(results[sizes[0]])
    width = max(len(label) for label in labels)
    header = f"{'events/s':<{width}}" + "".join(f"{n:>12,}" for n in sizes)
    if len(sizes) > 1:
        header += f"{'ratio':>9}"
    print(header)
    for label in labels:
        row = f"{label:<{width}}" + "".join(f"{results[n][label]:>12,.0f}" for n in sizes)
        if len(sizes) > 1:
            row += f"{results[sizes[-1]][label] / results[sizes[0]][label]:>9.2f}"
        print(row)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
