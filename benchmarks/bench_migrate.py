"""Benchmark: migrate a legacy body_upload_queue of 10,000 and 100,000 rows.

Run:  cd /work/main && uv run python benchmarks/bench_migrate.py [--rows 10000 100000]

Builds a legacy checkout (literal legacy names, see
packages/spec-kitty-migrate/tests/sk_legacy_fixtures.py) with a per-user `~/.spec-kitty/queue.db`
holding N rows of this project (unicode paths, ~300-byte bodies, retry state) plus 1% rows of
another project, then times `spec_kitty_migrate.run_upgrade` end to end: detect, backup of every
touched file (the legacy DB included) with sha256 manifest, import in one transaction, markers,
verification. Target: 100k rows in under 3 s.
"""

from __future__ import annotations

import argparse
import os
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

        start = time.perf_counter()
        report = run_upgrade(root)
        elapsed = time.perf_counter() - start
        assert report.status == "upgraded" and report.verified
        assert report.steps[-1].rows_imported == rows
        canonical = root / ".kittify" / "state" / "bodies.db"
        assert len(legacy.canonical_rows_by_key(canonical)) == rows
        return {
            "rows": rows,
            "seconds": round(elapsed, 3),
            "rows_per_second": round(rows / elapsed),
            "legacy_db_mb": round(queue.stat().st_size / 1e6, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    results = [run(n) for n in args.rows]
    for result in results:
        print(
            f"{result['rows']:>8} rows: {result['seconds']:.3f} s "
            f"({result['rows_per_second']:,} rows/s, legacy db {result['legacy_db_mb']} MB)"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = (b["seconds"] / a["seconds"]) / (b["rows"] / a["rows"])
        print(f"scaling: time ratio / row ratio = {ratio:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
