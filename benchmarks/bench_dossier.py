"""Dossier indexing: 1,000 artifacts (10 MB) indexed, then re-indexed unchanged.

    uv run python benchmarks/bench_dossier.py [--files N] [--kib K] [--repeat R]

Figures (seconds, wall clock, one process, best of R):
  index, cold          ``index_mission``: list, stat, read and sha256 every artifact
  re-index, unchanged  ``index_mission`` with the stat cache of the first run (reads no file)
  pipeline, cold       the whole dossier pipeline of a real mission: index + one
                       MissionDossierArtifactIndexed per artifact + snapshot, through the envelope
                       builder, the contract gate and the event queue (one transaction); the
                       process has imported the modules already (Python start-up is measured
                       by the start-up rows of benchmarks/run)
  pipeline, unchanged  the same run again: stat cache, nothing emitted
  reference            plain Python: read and hashlib.sha256 every file (no listing, no checks);
                       and os.stat of every file

The files get an mtime in the past (as files edited earlier do): entries hashed within 2 s of
their mtime are re-hashed on the next run by design (git's "racy" rule).
Targets (issue 16): index ≤ 1 s, re-index unchanged ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OLD = 1_600_000_000


def _files(folder: Path, n: int, size: int) -> list[Path]:
    out = []
    research = folder / "research"
    research.mkdir(parents=True, exist_ok=True)
    line = "lorem ipsum dolor sit amet, consectetur adipiscing elit\n"
    body = (line * (size // len(line) + 1))[:size]
    for i in range(n):
        path = research / f"note-{i:04d}.md"
        path.write_text(f"# Note {i}\n{body}"[:size], encoding="utf-8")
        os.utime(path, (OLD, OLD))
        out.append(path)
    return out


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _project(tmp: Path) -> tuple[Path, Path]:
    root = tmp / "project"
    root.mkdir()
    env = {**os.environ, "SPEC_KITTY_HOME": str(tmp / "home")}
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "b@spec-kitty.invalid"],
                 ["config", "user.name", "bench"]):  # fmt: skip
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    cli = [sys.executable, "-m", "spec_kitty_cli"]
    subprocess.run([*cli, "init", "--json"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=root, check=True, capture_output=True)
    out = subprocess.run(
        [*cli, "agent", "mission", "create", "Bench dossier", "--json"],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    import json

    return root, Path(json.loads(out.stdout)["mission_dir"])


def measure(repeat: int = 3, files: int = 1000, kib: int = 10) -> dict[str, float]:
    from spec_kitty_bodysync import index_mission

    out: dict[str, float] = {"files": files, "bytes": files * kib * 1024}
    with tempfile.TemporaryDirectory(prefix="sk-bench-dossier-") as tmp:
        folder = Path(tmp) / "mission"
        paths = _files(folder, files, kib * 1024)

        def raw() -> None:
            for p in paths:
                hashlib.sha256(p.read_bytes()).hexdigest()

        out["ref_hash"] = _best(raw, repeat)
        out["ref_stat"] = _best(lambda: [os.stat(p) for p in paths], repeat)
        out["index"] = _best(lambda: index_mission(folder), repeat)
        cache = index_mission(folder).by_path()
        again = index_mission(folder, cache=cache)
        assert again.hashed == 0, again.hashed
        out["reindex"] = _best(lambda: index_mission(folder, cache=cache), repeat)

        old_home = os.environ.get("SPEC_KITTY_HOME")
        os.environ["SPEC_KITTY_HOME"] = str(Path(tmp) / "home")
        try:
            root, mission = _project(Path(tmp))
            from spec_kitty_cli.dossier import index_missions

            index_missions(root)  # warm: imports and the gate compiled, as in a running process
            _files(mission, files, kib * 1024)

            started = time.perf_counter()
            (run,) = index_missions(root)
            out["pipeline"] = time.perf_counter() - started
            assert len(run.indexed) >= files, len(run.indexed)
            started = time.perf_counter()
            (run,) = index_missions(root)
            out["pipeline_again"] = time.perf_counter() - started
            assert run.events == 0 and run.hashed <= 3, (run.events, run.hashed)
            out["pipeline_again"] = min(
                out["pipeline_again"], _best(lambda: index_missions(root), repeat)
            )
        finally:
            if old_home is None:
                os.environ.pop("SPEC_KITTY_HOME", None)
            else:
                os.environ["SPEC_KITTY_HOME"] = old_home
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--kib", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    f = measure(ns.repeat, ns.files, ns.kib)
    mb = f["bytes"] / 1e6
    print(f"{ns.files:,} artifacts, {mb:.1f} MB (best of {ns.repeat})")
    print(f"  index, cold              {f['index'] * 1000:8.1f} ms   (target <= 1000 ms)")
    print(f"  re-index, unchanged      {f['reindex'] * 1000:8.1f} ms   (target <= 150 ms)")
    print(f"  pipeline, cold (+events) {f['pipeline'] * 1000:8.1f} ms   (one run)")
    print(f"  pipeline, unchanged      {f['pipeline_again'] * 1000:8.1f} ms")
    print(f"  ref: read + sha256 all   {f['ref_hash'] * 1000:8.1f} ms")
    print(f"  ref: os.stat all         {f['ref_stat'] * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
