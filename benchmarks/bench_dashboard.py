"""Serve time of the dashboard's board for a 1,000-WP mission with 36,000 status lines.

Builds a real project (`spec-kitty init`, `agent mission create`, 1,000 WP files), writes a
36,000-line canonical `status.events.jsonl` (35 transitions and one note per WP), starts the
dashboard's server on loopback and times `GET /api/missions/<slug>/board` over HTTP:

- cold:   the first request (reads and reduces the whole log, reads 1,000 WP files);
- append: the request right after one more transition was appended (what a page sees after an
          agent moved a WP);
- warm:   a request when nothing changed (what a page polling an open board costs);
- changes: `GET /api/changes`, what an open page asks every second.

Reference in the same run: `json.loads` of every line of the same log (the floor of any reader
that parses the file). Run with compiled bytecode:

    uv run python -m compileall -q packages/*/src
    uv run python benchmarks/bench_dashboard.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

N_WPS = 1000
LINES_PER_WP = 36
CYCLE = ("claimed", "in_progress", "for_review", "planned")  # a review rollback ends each cycle
FINAL = (("claimed", "in_progress"), ("for_review", "approved"), ("for_review", "done"))


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _records(slug: str, mission_id: str, wp: str, i: int, clock: list[int]) -> list[dict[str, Any]]:
    from spec_kitty_identity import new_ulid

    def stamp() -> str:
        clock[0] += 1000
        sec, micro = divmod(clock[0], 1_000_000)
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{micro:06d}+00:00"

    base = {"mission_id": mission_id, "mission_slug": slug, "wp_id": wp, "build_id": "bench"}
    out: list[dict[str, Any]] = []
    lanes: list[str] = ["planned"] + [lane for _ in range(8) for lane in CYCLE]
    lanes += FINAL[i % len(FINAL)]
    prev: str | None = None
    for lane in lanes:
        rollback = prev == "for_review" and lane == "planned"
        out.append(
            {
                **base,
                "event_id": new_ulid(),
                "at": stamp(),
                "actor": f"agent-{i % 7}",
                "from_lane": prev,
                "to_lane": lane,
                "force": False,
                "reason": "review: changes requested" if rollback else None,
                "review_ref": f"review-{wp}" if rollback else None,
                "evidence": None,
                "execution_mode": "worktree",
                "policy_metadata": None,
            }
        )
        prev = lane
    note = {k: base[k] for k in ("wp_id", "build_id")}
    out.append(
        {
            **note,
            "event_id": new_ulid(),
            "at": stamp(),
            "actor": "bench",
            "kind": "annotation",
            "delta": {"note": f"{wp} note"},
        }
    )
    assert len(out) == LINES_PER_WP
    return out


def build(tmp: Path) -> tuple[Path, str, dict[str, str]]:
    """A project with one 1,000-WP mission and a 36,000-line status log."""
    root = tmp / "project"
    root.mkdir()
    env = {**os.environ, "SPEC_KITTY_HOME": str(tmp / "home"), "HOME": str(tmp / "home")}
    env.pop("SPECIFY_REPO_ROOT", None)
    _git(root, "init", "-q", "-b", "main")
    sk = [sys.executable, "-m", "spec_kitty_cli"]
    subprocess.run([*sk, "init", "--json"], cwd=root, env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*sk, "agent", "mission", "create", "Big board", "--json"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    slug = json.loads(out)["mission_slug"]
    mission_dir = root / "kitty-specs" / slug
    mission_id = json.loads((mission_dir / "meta.json").read_text())["mission_id"]
    tasks = mission_dir / "tasks"
    lines: list[str] = []
    clock = [1_796_000_000 * 1_000_000]
    for i in range(1, N_WPS + 1):
        wp = f"WP{i:04d}"
        deps = f"[WP{i - 1:04d}]" if i > 1 and i % 3 else "[]"
        (tasks / f"{wp}.md").write_text(
            f"---\nwork_package_id: {wp}\ntitle: Part {i} of the big board\n"
            f"dependencies: {deps}\n---\n# {wp}\n",
            encoding="utf-8",
        )
        for record in _records(slug, mission_id, wp, i, clock):
            lines.append(json.dumps(record, sort_keys=True, separators=(",", ":")))
    (mission_dir / "status.events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, slug, env


def _get(port: int, path: str) -> tuple[float, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    resp = conn.getresponse()
    body = resp.read()
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    assert resp.status == 200, (path, resp.status, body[:300])
    return elapsed, body


def _append_move(log: Path, slug: str, wp: str, clock: list[int]) -> None:
    from spec_kitty_identity import new_ulid

    clock[0] += 1
    record = {
        "actor": "bench",
        "at": f"2030-01-01T00:00:00.{clock[0]:06d}+00:00",
        "build_id": "bench",
        "event_id": new_ulid(),
        "evidence": None,
        "execution_mode": "worktree",
        "force": True,
        "from_lane": None,
        "mission_id": "x",
        "mission_slug": slug,
        "policy_metadata": None,
        "reason": "bench",
        "review_ref": None,
        "to_lane": "blocked",
        "wp_id": wp,
    }
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")


def measure(repeat: int = 5) -> dict[str, float]:
    """Median ms of each figure (fresh server per repeat for `cold`)."""
    from spec_kitty_cli.dashboard import DashboardData, DashboardServer

    got: dict[str, list[float]] = {k: [] for k in ("cold", "append", "warm", "changes", "ref")}
    with tempfile.TemporaryDirectory(prefix="sk-bench-dashboard-") as name:
        root, slug, env = build(Path(name))
        saved = {k: os.environ.get(k) for k in ("SPEC_KITTY_HOME", "HOME")}
        os.environ.update(SPEC_KITTY_HOME=env["SPEC_KITTY_HOME"], HOME=env["HOME"])
        log = root / "kitty-specs" / slug / "status.events.jsonl"
        n_lines = sum(1 for _ in log.open())
        assert n_lines == N_WPS * LINES_PER_WP, n_lines
        clock = [0]
        path = f"/api/missions/{slug}/board"
        try:
            for _ in range(repeat):
                server = DashboardServer(("127.0.0.1", 0), DashboardData(root, root))
                thread = threading.Thread(
                    target=server.serve_forever, kwargs={"poll_interval": 0.05}
                )
                thread.start()
                port = server.server_address[1]
                try:
                    ms, body = _get(port, path)
                    got["cold"].append(ms)
                    assert len(json.loads(body)["work_packages"]) == N_WPS
                    for _ in range(3):
                        got["warm"].append(_get(port, path)[0])
                        got["changes"].append(_get(port, "/api/changes")[0])
                    _append_move(log, slug, f"WP{clock[0] % N_WPS + 1:04d}", clock)
                    ms, body = _get(port, path)
                    got["append"].append(ms)
                finally:
                    server.shutdown()
                    server.server_close()
                    thread.join()
                start = time.perf_counter()
                with log.open("rb") as handle:
                    parsed = [json.loads(line) for line in handle]
                got["ref"].append((time.perf_counter() - start) * 1000)
                assert len(parsed) >= n_lines
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    out = {k: statistics.median(v) for k, v in got.items()}
    out["lines"] = float(n_lines)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures = measure(args.repeat)
    print(
        f"board of {N_WPS:,} WPs, {int(figures['lines']):,} status lines; median of {args.repeat}"
    )
    ref = figures["ref"]
    for key, label in (
        ("cold", "GET board, first request (cold)"),
        ("append", "GET board after one appended transition"),
        ("warm", "GET board, nothing changed"),
        ("changes", "GET /api/changes (the page's poll)"),
        ("ref", "reference: json.loads of every log line"),
    ):
        print(f"  {label:<42} {figures[key]:9.1f} ms   {figures[key] / ref:6.2f}x ref")


if __name__ == "__main__":
    main()
