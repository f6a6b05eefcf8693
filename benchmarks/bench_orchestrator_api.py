"""Wall time of read-only `spec-kitty orchestrator-api` calls, next to a bare interpreter.

Builds a real git project with a 3-WP and a 200-WP mission (the 200-WP one with ~1,000 status
events and notes), then times each command as a fresh process, the way an orchestrator calls
it. Run it with compiled bytecode:

    uv run python -m compileall -q packages/*/src
    uv run python benchmarks/bench_orchestrator_api.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Sink:
    def emit(self, *args: Any) -> None:
        pass


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _mission(root: Path, title: str, n_wps: int, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "spec_kitty_cli", "agent", "mission", "create", title, "--json"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    slug = json.loads(out)["mission_slug"]
    tasks = root / "kitty-specs" / slug / "tasks"
    for i in range(1, n_wps + 1):
        deps = f"WP{i - 1:02d}" if i > 1 and i % 2 == 0 else ""
        (tasks / f"WP{i:02d}-part-{i}.md").write_text(
            f"---\nwork_package_id: WP{i:02d}\ntitle: Part {i} of the work\n"
            f"dependencies: [{deps}]\nsubtasks: [T{i:03d}]\n---\n# WP{i:02d}\n\nDo part {i}.\n",
            encoding="utf-8",
        )
    return slug


def _history(root: Path, slug: str, n_done: int) -> None:
    """Seed every WP, then take the first ``n_done`` through the whole lifecycle with notes."""
    from spec_kitty_orchestrator_api import Host, append_history, finalize, transition

    host = Host(root, sink=_Sink())
    finalize(host, slug)
    policy = json.dumps(
        {
            "orchestrator_id": "bench",
            "orchestrator_version": "0",
            "agent_family": "claude",
            "approval_mode": "full_auto",
            "sandbox_mode": "workspace_write",
            "network_mode": "none",
            "dangerous_flags": [],
        }
    )
    for i in range(1, n_done + 1):
        wp = f"WP{i:02d}"
        for lane in ("claimed", "in_progress", "for_review", "done"):
            transition(host, slug, wp, lane, "bench", policy=policy, review_ref=f"r-{wp}")
        append_history(host, slug, wp, "bench", f"{wp} finished")


CPU: dict[tuple[str, ...], float] = {}


def _median_ms(cmd: list[str], cwd: Path, env: dict[str, str], runs: int) -> float:
    """Median wall time; the median CPU time (user+sys) of the child goes to CPU[cmd]."""
    import resource

    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu.append(used * 1000)
        if cmd[1] != "-c" and '"success": true' not in proc.stdout:
            raise SystemExit(f"{cmd} failed: {proc.stdout} {proc.stderr}")
    CPU[tuple(cmd)] = statistics.median(cpu)
    return statistics.median(times)


def _in_process_ms(root: Path, command: str, slug: str, runs: int) -> float:
    """The command's own work after start-up: reduce the log and read the WP files."""
    import spec_kitty_orchestrator_api as api

    fn = getattr(api, command.replace("-", "_"))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(api.Host(root), slug)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        env = {**os.environ, "SPEC_KITTY_HOME": str(Path(tmp) / "home")}
        env.pop("SPECIFY_REPO_ROOT", None)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "config", "user.email", "bench@spec-kitty.invalid")
        _git(root, "config", "user.name", "bench")
        subprocess.run(
            [sys.executable, "-m", "spec_kitty_cli", "init", "--json"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "init")
        small = _mission(root, "Small mission", 3, env)
        large = _mission(root, "Large mission", 200, env)
        os.environ["SPEC_KITTY_HOME"] = env["SPEC_KITTY_HOME"]
        _history(root, small, 1)
        _history(root, large, 150)
        log = root / "kitty-specs" / large / "status.events.jsonl"
        n_events = sum(1 for _ in log.open())
        base = [sys.executable, "-m", "spec_kitty_cli", "orchestrator-api"]
        bare = _median_ms([sys.executable, "-c", "pass"], root, env, args.runs)
        cv = _median_ms([*base, "contract-version"], root, env, args.runs)
        rows: list[tuple[str, str, float, float, float | None]] = [
            ("python -c pass", "-", bare, CPU[(sys.executable, "-c", "pass")], None),
            ("contract-version", "-", cv, CPU[(*base, "contract-version")], None),
        ]
        for label, slug in (("3 WPs", small), (f"200 WPs, {n_events} lines", large)):
            for command in ("mission-state", "list-ready"):
                cmd = [*base, command, "--mission", slug]
                ms = _median_ms(cmd, root, env, args.runs)
                work = _in_process_ms(root, command, slug, args.runs)
                rows.append((command, label, ms, CPU[tuple(cmd)], work))
        print(f"median of {args.runs} runs, fresh process each, python {sys.version.split()[0]}")
        cols = f"| {'command':<18} | {'mission':<24} | {'wall ms':>8} | {'cpu ms':>7} | {'work ms':>7} |"
        print(cols)
        print(f"|{'-' * 20}|{'-' * 26}|{'-' * 10}|{'-' * 9}|{'-' * 9}|")
        for command, label, ms, cpu, work in rows:
            shown = "-" if work is None else f"{work:.1f}"
            print(f"| {command:<18} | {label:<24} | {ms:8.1f} | {cpu:7.1f} | {shown:>7} |")
        print("wall/cpu ms: median wall and CPU (user+sys) time of a fresh process per call")
        print("work ms: the same command in-process after imports (log reduction + WP files)")


if __name__ == "__main__":
    main()
