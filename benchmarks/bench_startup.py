"""Start-up time of `spec-kitty` commands next to a bare `python -c pass`, in one run.

Usage: uv run python benchmarks/bench_startup.py [--repeat N]
Compile bytecode first (this environment sets PYTHONDONTWRITEBYTECODE=1):
    uv run python -m compileall -q packages/*/src
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], cwd: Path, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        subprocess.run(
            [py, "-m", "spec_kitty_cli", "init", "--json"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [py, "-m", "spec_kitty_cli", "agent", "mission", "create", "bench", "--json"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "spec-kitty --version (console script)": [
                str(Path(py).parent / "spec-kitty"),
                "--version",
            ],
            "python -m spec_kitty_cli --version": [py, "-m", "spec_kitty_cli", "--version"],
            "spec-kitty --help": [py, "-m", "spec_kitty_cli", "--help"],
            "spec-kitty identity show --json": [
                py,
                "-m",
                "spec_kitty_cli",
                "identity",
                "show",
                "--json",
            ],
        }
        results = {name: timed(cmd, root, args.repeat) for name, cmd in cases.items()}
    base = results["python -c pass"]
    print(f"{'command':40s} {'median ms':>10s} {'x bare':>8s}")
    for name, ms in results.items():
        print(f"{name:40s} {ms:10.1f} {ms / base:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
