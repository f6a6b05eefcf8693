"""Status at scale: 1,000 work packages / 36,000 status lines against the same call on 3 WPs.

    uv run python -m compileall -q packages/*/src
    uv run python benchmarks/bench_status_scale.py [--runs 7] [--quick]

Builds a real git project with a 3-WP mission (1 WP through its lifecycle) and a 1,000-WP mission
whose status.events.jsonl holds 36,000 lines (~14 MB: every WP seeded, then moved round its
lanes with a note now and then), written with the log's own encoder. Then, each a fresh process
the way an orchestrator polls, interleaved so both see the same load:

- ``orchestrator-api mission-state`` and ``list-ready``: wall time (median) and peak RSS;
- ``status --json``: wall time (median);
- ``agent tasks finalize`` of 1,000 new WPs (one run per fresh mission): wall time;
- emitting 10,000 events in one batch vs a raw sqlite3 single-transaction insert (events/s).

Each figure is printed next to its reference; ``measure()`` returns them for `benchmarks/run`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
N_WPS = 1000
N_LINES = 36_000
LANE_CYCLE = ("claimed", "in_progress", "for_review", "in_progress", "for_review", "approved")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _sk(root: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"spec-kitty {' '.join(args)} failed: {done.stdout} {done.stderr}")
    return dict(json.loads(done.stdout))


def project(tmp: Path) -> tuple[Path, dict[str, str]]:
    root = tmp / "project"
    root.mkdir()
    env = {**os.environ, "SPEC_KITTY_HOME": str(tmp / "home")}
    env.pop("SPECIFY_REPO_ROOT", None)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "bench@spec-kitty.invalid")
    _git(root, "config", "user.name", "bench")
    _sk(root, env, "init", "--json")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    return root, env


def mission(root: Path, env: dict[str, str], title: str, n_wps: int) -> str:
    slug = str(_sk(root, env, "agent", "mission", "create", title, "--json")["mission_slug"])
    tasks = root / "kitty-specs" / slug / "tasks"
    for i in range(1, n_wps + 1):
        deps = f"WP{i - 1:02d}" if i > 1 and i % 2 == 0 else ""
        (tasks / f"WP{i:02d}-part-{i}.md").write_text(
            f"---\nwork_package_id: WP{i:02d}\ntitle: Part {i} of the work\n"
            f"dependencies: [{deps}]\nsubtasks: [T{i:03d}]\n---\n# WP{i:02d}\n\nDo part {i}.\n",
            encoding="utf-8",
        )
    return slug


def _policy() -> dict[str, Any]:
    return {
        "orchestrator_id": "bench",
        "orchestrator_version": "0",
        "agent_family": "claude",
        "approval_mode": "full_auto",
        "sandbox_mode": "workspace_write",
        "network_mode": "none",
        "dangerous_flags": [],
    }


def write_history(root: Path, slug: str, n_lines: int) -> int:
    """Seed every WP through the API, then append generated lines until the log has n_lines."""
    from datetime import UTC, datetime, timedelta

    from spec_kitty_identity import load_project_identity, new_ulid, resolve_mission
    from spec_kitty_orchestrator_api import Host, finalize
    from spec_kitty_orchestrator_api._log import LOG_NAME, encode

    class _Sink:
        def prepare(self, events: Any) -> Any:
            return events

        def publish(self, prepared: Any) -> None:
            pass

    finalize(Host(root, sink=_Sink()), slug)
    ref = resolve_mission(root, slug)
    log = ref.path / LOG_NAME
    seeded = sum(1 for _ in log.open(encoding="utf-8"))
    project_id = load_project_identity(root)
    wps = sorted(p.name.split("-")[0] for p in (ref.path / "tasks").glob("WP*.md"))
    start = datetime.now(UTC)
    lanes = dict.fromkeys(wps, "planned")
    step = 0
    with log.open("a", encoding="utf-8") as out:
        for n in range(n_lines - seeded):
            wp = wps[n % len(wps)]
            at = (start + timedelta(microseconds=n + 1)).isoformat(timespec="microseconds")
            common = {"event_id": new_ulid(), "wp_id": wp, "at": at, "actor": "bench"}
            common["build_id"] = str(project_id.build_id)
            if n % 9 == 8:
                out.write(encode({**common, "kind": "annotation", "delta": {"note": f"n{n}"}}))
                continue
            to_lane = LANE_CYCLE[step % len(LANE_CYCLE)] if wp == wps[-1] else None
            step += 1
            if to_lane is None:
                to_lane = LANE_CYCLE[(n // len(wps)) % len(LANE_CYCLE)]
            record = {
                **common,
                "mission_slug": slug,
                "mission_id": str(ref.identity.mission_id),
                "from_lane": lanes[wp],
                "to_lane": to_lane,
                "force": False,
                "reason": None,
                "execution_mode": "worktree",
                "review_ref": f"r-{wp}" if to_lane == "for_review" else None,
                "evidence": None,
                "policy_metadata": _policy(),
            }
            lanes[wp] = to_lane
            out.write(encode(record))
    return sum(1 for _ in log.open(encoding="utf-8"))


def timed_rss(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Like timed(), but the peak RSS comes from os.wait4 on exactly this child."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with exit {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def reads(root: Path, env: dict[str, str], small: str, large: str, runs: int) -> dict[str, Any]:
    sk = [sys.executable, "-m", "spec_kitty_cli"]
    api = [*sk, "orchestrator-api"]
    cases = {}
    for name, slug in (("3", small), ("1000", large)):
        cases[f"mission-state {name}"] = [*api, "mission-state", "--mission", slug]
        cases[f"list-ready {name}"] = [*api, "list-ready", "--mission", slug]
        cases[f"status {name}"] = [*sk, "status", "--mission", slug, "--json"]
    for cmd in cases.values():  # warm: every command works (and any cache is built once)
        timed_rss(cmd, root, env)
    walls: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, float] = dict.fromkeys(cases, 0.0)
    for _ in range(runs):
        for name, cmd in cases.items():
            wall, peak = timed_rss(cmd, root, env)
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
    return {
        name: {"ms": statistics.median(values), "rss_mb": rss[name]}
        for name, values in walls.items()
    }


def finalize_wall(tmp: Path, root: Path, env: dict[str, str], runs: int) -> float:
    times = []
    for r in range(runs):
        slug = mission(root, env, f"Finalize bench {r}", N_WPS)
        start = time.perf_counter()
        _sk(root, env, "agent", "tasks", "finalize", "--mission", slug, "--json")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit_batch(tmp: Path, n: int, runs: int) -> tuple[float, float]:
    """(events/s of one batch emit, events/s of raw sqlite3 one-transaction insert)."""
    from spec_kitty_cli import _events
    from spec_kitty_identity import init_project

    emit_many = getattr(_events, "emit_events", None)
    ours, ref = 0.0, 0.0
    for r in range(runs):
        root = tmp / f"emit-{r}"
        root.mkdir()
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        init_project(root)
        specs = [
            {
                "event_type": "MissionCreated",
                "aggregate_type": "Mission",
                "aggregate_id": f"m-{i}",
                "payload": {
                    "mission_slug": f"{i:03d}-bench",
                    "mission_number": i,
                    "mission_type": "software-dev",
                },
            }
            for i in range(1, n + 1)
        ]
        start = time.perf_counter()
        if emit_many is not None:
            envelopes = emit_many(root, specs)
        else:  # before the batch API existed: one emit per event
            envelopes = [_events.emit_event(root, **spec) for spec in specs]
        ours = max(ours, n / (time.perf_counter() - start))
        texts = [(e["event_id"], _events.canonical_json(e)) for e in envelopes]
        db = tmp / f"ref-{r}.db"
        with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("CREATE TABLE t (event_id TEXT PRIMARY KEY, envelope TEXT NOT NULL)")
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO t VALUES (?, ?)", texts)
            conn.execute("COMMIT")
            ref = max(ref, n / (time.perf_counter() - start))
    return ours, ref


def measure(runs: int = 7, *, finalize_runs: int = 3, emit_runs: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sk-bench-scale-") as name:
        tmp = Path(name)
        root, env = project(tmp)
        saved = os.environ.get("SPEC_KITTY_HOME")
        os.environ["SPEC_KITTY_HOME"] = env["SPEC_KITTY_HOME"]
        try:
            small = mission(root, env, "Small mission", 3)
            large = mission(root, env, "Large mission", N_WPS)
            write_history(root, small, 8)
            lines = write_history(root, large, N_LINES)
            size = (root / "kitty-specs" / large / "status.events.jsonl").stat().st_size
            out: dict[str, Any] = {"lines": lines, "log_mb": size / 1e6}
            out["reads"] = reads(root, env, small, large, runs)
            out["finalize_s"] = finalize_wall(tmp, root, env, finalize_runs)
            out["emit"] = emit_batch(tmp, 10_000, emit_runs)
        finally:
            if saved is None:
                os.environ.pop("SPEC_KITTY_HOME", None)
            else:
                os.environ["SPEC_KITTY_HOME"] = saved
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 runs, 1 finalize, 1 emit")
    args = parser.parse_args()
    runs, heavy = (3, 1) if args.quick else (args.runs, 3)
    got = measure(runs, finalize_runs=heavy, emit_runs=heavy)
    reads_ = got["reads"]
    print(f"1,000-WP mission: {got['lines']:,} lines, {got['log_mb']:.1f} MB; median of {runs}")
    print(
        f"| {'command':<15} | {'3 WPs ms':>9} | {'1,000 WPs ms':>12} | {'ratio':>6} | {'RSS MB':>7} |"
    )
    print(f"|{'-' * 17}|{'-' * 11}|{'-' * 14}|{'-' * 8}|{'-' * 9}|")
    for command in ("mission-state", "list-ready", "status"):
        small, large = reads_[f"{command} 3"], reads_[f"{command} 1000"]
        print(
            f"| {command:<15} | {small['ms']:9.1f} | {large['ms']:12.1f} | "
            f"{large['ms'] / small['ms']:6.2f} | {large['rss_mb']:7.1f} |"
        )
    print(f"finalize of {N_WPS:,} new WPs: {got['finalize_s']:.2f} s wall")
    ours, ref = got["emit"]
    print(
        f"emit 10,000 events in one batch: {ours:,.0f} events/s; raw sqlite3 one transaction: "
        f"{ref:,.0f} events/s; ratio {ours / ref:.2f}"
    )


if __name__ == "__main__":
    main()
