"""Memory of a real `spec-kitty dashboard` process while a page stays open for an hour.

Starts `spec-kitty dashboard --port 0` as its own process on the 1,000-WP / 36,000-line mission
of bench_dashboard.py, then plays one hour of what the open page asks, compressed in time:

- every "second" GET /api/changes (the page's 1 s poll), 3,600 in all;
- every "minute" another process appends a transition to the status log (60 in all), and the
  page refetches what it shows: the registry, the board, the timeline and the run.

The server's resident memory (VmRSS of its process, /proc) is sampled after every simulated
5 minutes. Reference in the same run: its RSS after the first 5 minutes (warm caches). The
figure is the RSS after the hour; flat memory means a ratio near 1.0.

    uv run python -m compileall -q packages/*/src
    uv run python benchmarks/bench_dashboard_hour.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_dashboard

SECONDS = 3600
CHANGE_EVERY = 60
SAMPLE_EVERY = 300


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match, "no VmRSS in /proc (Linux only)"
    return int(match.group(1)) / 1024


def _port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if found:
            return int(found.group(1))
        if not line and process.poll() is not None:
            break
    raise RuntimeError("the dashboard did not print its URL")


def measure() -> dict[str, float]:
    """RSS (MB) after 5 minutes and after the hour, and the peak of the samples."""
    with tempfile.TemporaryDirectory(prefix="sk-bench-dashboard-hour-") as name:
        root, slug, env = bench_dashboard.build(Path(name))
        log = root / "kitty-specs" / slug / "status.events.jsonl"
        cmd = [sys.executable, "-m", "spec_kitty_cli", "dashboard", "--port", "0"]
        process = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            port = _port(process)
            base = f"/api/missions/{slug}"
            page = ("/api/registry", f"{base}/board", f"{base}/timeline", f"{base}/run")
            for path in page:  # the page opens
                bench_dashboard._get(port, path)
            token = json.loads(bench_dashboard._get(port, "/api/changes")[1])["token"]
            clock = [0]
            samples: list[float] = []
            refreshes = 0
            for second in range(1, SECONDS + 1):
                if second % CHANGE_EVERY == 0:
                    wp = f"WP{clock[0] % bench_dashboard.N_WPS + 1:04d}"
                    bench_dashboard._append_move(log, slug, wp, clock)
                now = json.loads(bench_dashboard._get(port, "/api/changes")[1])["token"]
                if now != token:
                    token = now
                    refreshes += 1
                    for path in page:
                        bench_dashboard._get(port, path)
                if second % SAMPLE_EVERY == 0:
                    samples.append(_rss_mb(process.pid))
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert refreshes >= SECONDS // CHANGE_EVERY, refreshes  # every change reached the page
    return {"rss_5min": samples[0], "rss_hour": samples[-1], "rss_peak": max(samples)}


def main() -> int:
    started = time.perf_counter()
    f = measure()
    took = time.perf_counter() - started
    print(
        f"dashboard RSS: after 5 min {f['rss_5min']:.1f} MB, after 1 h {f['rss_hour']:.1f} MB "
        f"(peak {f['rss_peak']:.1f} MB; ratio {f['rss_hour'] / f['rss_5min']:.3f}) "
        f"— {SECONDS:,} polls, {SECONDS // CHANGE_EVERY} changes, played in {took:.0f} s"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
