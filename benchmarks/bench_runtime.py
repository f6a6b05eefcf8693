"""`spec-kitty next` on a 50-step run next to a bare `python -c pass`, in one run.

Usage: uv run python benchmarks/bench_runtime.py [--runs N]
Compile bytecode first (this environment sets PYTHONDONTWRITEBYTECODE=1):
    uv run python -m compileall -q packages/*/src

Figures (median of N fresh processes each, interleaved with the reference so every figure sees
the same load): `next` retried by the agent holding a step (takes the run lock, answers the same
step, writes nothing) and `next --result success` (records the step, issues the next one: two
events built, gated, logged, committed in state.json and queued).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = 50


def _definition(root: Path) -> None:
    lines = ["mission: {key: bench, name: Bench, version: '1.0.0'}", "steps:"]
    for i in range(1, STEPS):
        dep = f", depends_on: [s{i - 1:02d}]" if i > 1 else ""
        lines.append(f"  - {{id: s{i:02d}, title: Step {i}, agent_profile: implementer-ivan{dep}}}")
    lines.append(f"  - {{id: retrospective, title: Retro, depends_on: [s{STEPS - 1:02d}]}}")
    path = root / ".kittify" / "missions" / "bench" / "mission.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    assert done.returncode == 0, (cmd, done.stdout, done.stderr)
    return elapsed


def measure(runs: int) -> dict[str, float]:
    """Median milliseconds per figure (runs < STEPS: each write round advances the run)."""
    py = sys.executable
    sk = str(Path(py).parent / "spec-kitty")
    runs = min(runs, STEPS - 2)
    with tempfile.TemporaryDirectory(prefix="sk-bench-runtime-") as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        env = {**os.environ, "SPEC_KITTY_HOME": str(Path(tmp) / "home")}
        env.pop("SPECIFY_REPO_ROOT", None)
        for args in (
            ["init", "-q", "-b", "main"],
            ["config", "user.email", "b@spec-kitty.invalid"],
            ["config", "user.name", "bench"],
        ):
            subprocess.run(["git", *args], cwd=root, check=True)
        subprocess.run([sk, "init", "--json"], cwd=root, env=env, check=True, capture_output=True)
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "init"], cwd=root, check=True)
        _definition(root)
        subprocess.run(
            [sk, "mission", "run", "bench", "--mission", "bench-run", "--json"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
        nxt = [sk, "next", "--mission", "bench-run", "--agent", "bench", "--json"]
        subprocess.run(nxt, cwd=root, env=env, check=True, capture_output=True)
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "next (retry: same step)": nxt,
            "next --result success (record + issue)": [*nxt, "--result", "success"],
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, cmd in cases.items():
                samples[name].append(_timed(cmd, root, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    medians = measure(args.runs)
    base = medians["python -c pass"]
    print(f"{'command (50-step run)':42s} {'median ms':>10s} {'x bare':>8s}")
    for name, ms in medians.items():
        print(f"{name:42s} {ms:10.1f} {ms / base:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
