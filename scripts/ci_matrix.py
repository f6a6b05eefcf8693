"""Run every tox env of tox.ini's env_list, two at a time, and say what happens as it happens.

Each env's start and end is one line (name, result, seconds); while envs run, a line every few
seconds names them with their pytest progress, so a person watching `bash .ci/run` always knows it
is alive. Each env's full output goes to .ci-results/tox-<env>.log; a failing env's tail is
printed. Exit 1 when any env failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Longest first, so the two workers finish together (seconds seen on a 2-core machine).
WEIGHTS = {
    "integration": 150,
    "wheels": 150,
    "newest": 130,
    "pkg-cli": 120,
    "orchestrator-e2e": 90,
    "lint": 60,
}
PROGRESS = re.compile(r"\[\s*(\d+)%\]")


@dataclass
class Run:
    env: str
    log: Path
    proc: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


def env_list(tox: list[str]) -> list[str]:
    out = subprocess.run([*tox, "-l"], cwd=REPO, capture_output=True, text=True, check=True)
    envs = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    return sorted(envs, key=lambda env: -WEIGHTS.get(env, 30))


def progress(log: Path) -> str:
    try:
        with log.open("rb") as handle:
            handle.seek(max(log.stat().st_size - 4096, 0))
            tail = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    found = PROGRESS.findall(tail)
    return f" {found[-1]}%" if found else ""


def say(text: str) -> None:
    print(text, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--heartbeat", type=float, default=5.0, help="seconds between alive lines")
    parser.add_argument("--results", default=".ci-results")
    parser.add_argument("envs", nargs="*", help="default: tox.ini's env_list")
    args = parser.parse_args()
    tox = [sys.executable, "-m", "tox"]
    results = REPO / args.results
    results.mkdir(parents=True, exist_ok=True)
    pending = args.envs or env_list(tox)
    say(f"ci: {len(pending)} tox envs, {args.parallel} at a time: {' '.join(pending)}")
    running: list[Run] = []
    failed: list[str] = []
    began = time.monotonic()
    last_line = time.monotonic()
    env = {**os.environ, "PY_COLORS": "0"}
    while pending or running:
        while pending and len(running) < args.parallel:
            name = pending.pop(0)
            log = results / f"tox-{name}.log"
            with log.open("wb") as sink:
                proc = subprocess.Popen(
                    [*tox, "run", "-e", name, "--", "-q"],
                    cwd=REPO,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                )
            running.append(Run(name, log, proc))
            say(f"ci: > {name} started")
            last_line = time.monotonic()
        time.sleep(0.5)
        for run in list(running):
            code = run.proc.poll()
            if code is None:
                continue
            running.remove(run)
            took = time.monotonic() - run.started
            if code == 0:
                say(f"ci: ok {run.env} passed in {took:.0f} s")
            else:
                failed.append(run.env)
                say(f"ci: FAILED {run.env} (exit {code}) in {took:.0f} s; log: {run.log}")
                lines = run.log.read_text(encoding="utf-8", errors="replace").splitlines()
                for line in lines[-60:]:
                    say(f"  | {line}")
            last_line = time.monotonic()
        if running and time.monotonic() - last_line >= args.heartbeat:
            now = time.monotonic()
            alive = ", ".join(
                f"{run.env} {now - run.started:.0f} s{progress(run.log)}" for run in running
            )
            say(f"ci: ... running {alive}; {len(pending)} waiting")
            last_line = now
    total = time.monotonic() - began
    if failed:
        say(f"ci: {len(failed)} env(s) failed in {total:.0f} s: {' '.join(failed)}")
        return 1
    say(f"ci: every tox env passed in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
