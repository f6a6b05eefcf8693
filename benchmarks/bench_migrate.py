"""Benchmark: migrate a legacy body_upload_queue of 10,000 and 100,000 rows.

Run:  cd /work/main && uv run python benchmarks/bench_migrate.py [--rows 10000 100000] [--repeat 3]

Builds a legacy checkout (literal legacy names, see
packages/spec-kitty-migrate/tests/sk_legacy_fixtures.py) with a per-user `~/.spec-kitty/queue.db`
holding N rows of this project (unicode paths, ~300-byte bodies, retry state) plus 1% rows of
another project, then times `spec_kitty_migrate.run_upgrade` end to end: detect, backup of every
touched file (the legacy DB included) with sha256 manifest, import in one transaction, markers,
verification. Target: 100k rows in under 3 s.

Each size runs ``--repeat`` times in a fresh checkout; the median wall time and the median CPU
time of this process (SQLite runs in-process, so CPU time is what the code costs; wall time also
carries the load of whatever else shares the machine) are printed with /proc/loadavg.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "packages" / "spec-kitty-migrate" / "tests"))

import sk_legacy_fixtures as legacy


def run(rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        home = base / "home"
        home.mkdir()
        os.environ["HOME"] = str(home)
        os.environ["SPEC_KITTY_HOME"] = str(home / ".spec-kitty-state")
        root = legacy.make_repo(base / "project")
        legacy.write_legacy_config(root)
        data = [legacy.legacy_row(i) for i in range(rows)]
        data += [legacy.legacy_row(i, project_uuid=legacy.OTHER_UUID) for i in range(rows // 100)]
        queue = legacy.make_legacy_queue(home / ".spec-kitty" / "queue.db", data)
        from spec_kitty_migrate import run_upgrade

        start, cpu = time.perf_counter(), time.process_time()
        report = run_upgrade(root)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert report.status == "upgraded" and report.verified
        assert report.steps[-1].rows_imported == rows
        canonical = root / ".kittify" / "state" / "bodies.db"
        assert len(legacy.canonical_rows_by_key(canonical)) == rows
        return {
            "rows": rows,
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(cpu, 3),
            "rows_per_second": round(rows / elapsed),
            "legacy_db_mb": round(queue.stat().st_size / 1e6, 1),
        }


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split(" ", 3)[:3].__str__()
    except OSError:
        return "n/a"


def measure(rows: int, repeat: int) -> dict[str, float]:
    runs = [run(rows) for _ in range(repeat)]
    return {
        "rows": rows,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "all": [r["seconds"] for r in runs],  # type: ignore[dict-item]
        "legacy_db_mb": runs[0]["legacy_db_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"loadavg before: {_loadavg()}")
    results = [measure(n, args.repeat) for n in args.rows]
    for r in results:
        print(
            f"{r['rows']:>8} rows: median {r['seconds']:.3f} s wall, {r['cpu_seconds']:.3f} s CPU "
            f"({round(r['rows'] / r['seconds']):,} rows/s; runs {r['all']}; "
            f"legacy db {r['legacy_db_mb']} MB)"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = (b["seconds"] / a["seconds"]) / (b["rows"] / a["rows"])
        print(
            f"{b['rows']:,} vs {a['rows']:,}: time ratio {b['seconds'] / a['seconds']:.2f}, "
            f"time ratio / row ratio = {ratio:.2f} (1.00 = linear)"
        )
    print(f"loadavg after: {_loadavg()}")


if __name__ == "__main__":
    main()
