"""`spec-kitty sync now|bodies` against a hostile loopback server (hostile_server.py).

Each case: a structured refusal with the documented exit code (a server fault is
infrastructure: 1; a setting the user must change: 2), nothing stored (events stay pending with
no retry counted, the Lamport clock unchanged), no token in any output or in any request to
another origin, and bounded time and memory (the CLI runs as a real process; its peak RSS is
read with wait4).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_server import (
    HostileServer,
    drip,
    gzip_bomb,
    gzip_json,
    huge,
    json_answer,
    redirect,
)
from saas_stub import SaasStub

from spec_kitty_cli._events import CLOCK_FILE, EventQueue, emit_event, queue_path

SCRIPT = shutil.which("spec-kitty", path=str(Path(sys.executable).parent)) or "spec-kitty"
TOKEN = "hostile-test-token-0123456789"
BATCH = "/api/v1/events/batch/"
MEMORY_LIMIT = 150 * 1024 * 1024  # a 400 MB bomb inflated in memory would blow far past this


class Run:
    def __init__(self, code: int, stdout: str, stderr: str, seconds: float, rss: int) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.seconds, self.rss = seconds, rss

    def json(self) -> dict[str, Any]:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, self.stdout + self.stderr
        doc: dict[str, Any] = json.loads(lines[0])
        return doc


def sk(cwd: Path, *args: str, env: dict[str, str] | None = None, limit: float = 90) -> Run:
    """Run the installed CLI; returns its exit code, output, wall time and peak RSS (bytes)."""
    out, err = cwd.parent / "stdout.txt", cwd.parent / "stderr.txt"
    started = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            [SCRIPT, *args], cwd=cwd, env={**os.environ, **(env or {})}, stdout=o, stderr=e
        )
        killer = threading.Timer(limit, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    rss = usage.ru_maxrss * 1024  # kilobytes on Linux
    run = Run(proc.returncode, out.read_text(), err.read_text(), seconds, rss)
    assert TOKEN not in run.stdout + run.stderr
    return run


def server_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "SPEC_KITTY_SERVER_URL": url,
        "SPEC_KITTY_TOKEN": TOKEN,
        "SPEC_KITTY_SYNC_BACKOFF_BASE": "0.01",
        "SPEC_KITTY_SYNC_BACKOFF_MAX": "0.05",
        "SPEC_KITTY_SYNC_MAX_ATTEMPTS": "2",
        **extra,
    }


@pytest.fixture
def root(tmp_path: Path, isolated_home: Path) -> Path:
    from spec_kitty_identity import init_project

    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    subprocess.run(["git", "config", "user.email", "t@spec-kitty.invalid"], cwd=path, check=True)
    subprocess.run(["git", "config", "user.name", "spec-kitty test"], cwd=path, check=True)
    init_project(path)
    for n in range(1, 4):
        emit_event(
            path,
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id=f"mission-{n}",
            payload={"mission_slug": f"{n:03d}-m", "mission_number": n, "mission_type": "plan"},
        )
    return path


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def snapshot(root: Path) -> tuple[Any, ...]:
    """What a refused answer must leave unchanged: queue states, retry counts, the clock."""
    from spec_kitty_identity import checkout_state_dir

    with EventQueue(queue_path(root)) as queue:
        counts = queue.counts()
        retries = sorted(e.retry_count for e in queue.pending())
    clock = (checkout_state_dir(root) / CLOCK_FILE).read_text()
    return counts, retries, json.loads(clock)["lamport_clock"]


CASES = [
    ("declared-huge", lambda: huge(declare_length=True), 1, "SYNC_ANSWER_TOO_LARGE"),
    ("streamed-huge", lambda: huge(declare_length=False), 1, "SYNC_ANSWER_TOO_LARGE"),
    ("gzip-bomb", gzip_bomb, 1, "SYNC_ANSWER_TOO_LARGE"),
    ("bad-encoding", lambda: json_answer(200, {}, {"Content-Encoding": "br"}), 1,
     "SYNC_ANSWER_INVALID"),
    ("clock-10**30", lambda: json_answer(200, {"results": [], "server_clock": 10**30}), 1,
     "SYNC_ANSWER_INVALID"),
    ("clock-string", lambda: gzip_json(200, {"results": [], "server_clock": "9"}), 1,
     "SYNC_ANSWER_INVALID"),
    ("result-types", lambda: json_answer(200, {"results": [{"event_id": 5, "status": []}]}), 1,
     "SYNC_ANSWER_INVALID"),
    ("negative-clock", lambda: json_answer(200, {"results": [], "server_clock": -5}), 1,
     "SYNC_ANSWER_INVALID"),
    ("same-origin-redirect", lambda: redirect(307, "/api/v2/events/batch/"), 2,
     "SYNC_REDIRECT_REFUSED"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "exit_code", "code"), CASES, ids=[c[0] for c in CASES])
def test_hostile_answers_are_refused_and_change_nothing(
    root: Path, hostile: HostileServer, name: str, make: Any, exit_code: int, code: str
) -> None:
    hostile.answer = make()
    before = snapshot(root)
    run = sk(root, "sync", "now", "--json", env=server_env(hostile.url))
    assert run.code == exit_code, run.stdout + run.stderr
    doc = run.json()
    assert doc["result"] == "error" and doc["error_code"] == code
    assert snapshot(root) == before
    assert run.rss < MEMORY_LIMIT, f"peak RSS {run.rss / 2**20:.0f} MiB"
    assert run.seconds < 60
    assert len(hostile.requests) == 1  # refused at once, not retried into the same trap
    assert hostile.requests[0]["headers"]["authorization"] == f"Bearer {TOKEN}"  # loopback only


def test_cross_origin_redirect_never_carries_the_token(root: Path, hostile: HostileServer) -> None:
    with HostileServer() as collector:
        hostile.answer = redirect(308, collector.url + "/steal")
        run = sk(root, "sync", "now", "--json", env=server_env(hostile.url))
        time.sleep(0.2)
        assert collector.requests == []
    assert run.code == 2 and run.json()["error_code"] == "SYNC_REDIRECT_REFUSED"
    assert run.json()["details"]["events"]["outcome"] == "failed"


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_dripping_server_cannot_outlast_the_deadline(
    root: Path, hostile: HostileServer, in_headers: bool
) -> None:
    hostile.answer = drip(0.4, in_headers=in_headers)
    before = snapshot(root)[0]
    env = server_env(hostile.url, SPEC_KITTY_SYNC_DEADLINE="3", SPEC_KITTY_SYNC_TIMEOUT="30")
    run = sk(root, "sync", "now", "--json", env=env)
    assert run.code == 1 and run.json()["error_code"] == "SYNC_DEADLINE_EXCEEDED"
    assert run.seconds < 3 + 10  # the deadline plus start-up on a busy machine, not 300 x 0.4 s
    assert snapshot(root)[0] == before  # every event still pending


def test_plain_http_to_a_remote_host_is_refused_before_sending(root: Path) -> None:
    run = sk(root, "sync", "now", "--json", env=server_env("http://sync.example.invalid"))
    assert run.code == 2 and run.json()["error_code"] == "SERVER_URL_INSECURE"
    login = sk(root, "auth", "login", "--server", "http://10.1.2.3", "--token-stdin", "--json")
    assert login.code == 2 and login.json()["error_code"] == "SERVER_URL_INSECURE"


def test_a_poisoned_clock_answer_leaves_write_commands_working(
    root: Path, hostile: HostileServer
) -> None:
    hostile.answer = json_answer(200, {"results": [], "server_clock": 10**30})
    counts_before, _, clock_before = snapshot(root)
    run = sk(root, "sync", "now", "--json", env=server_env(hostile.url))
    assert run.code == 1 and run.json()["error_code"] == "SYNC_ANSWER_INVALID"
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=root, check=True)
    created = sk(root, "agent", "mission", "create", "After the hostile answer", "--json")
    assert created.code == 0, created.stdout + created.stderr
    counts_after, _, clock_after = snapshot(root)
    queued = sum(counts_after.values()) - sum(counts_before.values())
    assert queued >= 1  # MissionCreated and the mission's dossier events
    assert clock_after == clock_before + queued  # one tick per event, the 10**30 never stored


def test_progress_goes_to_stderr_only_in_human_mode(root: Path, hostile: HostileServer) -> None:
    hostile.answer = json_answer(503, {"error": "maintenance"}, {"Retry-After": "1"})
    env = server_env(hostile.url, SPEC_KITTY_SYNC_MAX_ATTEMPTS="3")
    human = sk(root, "sync", "now", env=env)
    assert human.code == 1
    assert "attempt 1/3 failed (HTTP 503" in human.stderr
    assert "retrying in 1.0s, 3 pending" in human.stderr
    assert "Syncing with http://127.0.0.1" in human.stderr
    # where it syncs is said once, before the first wait
    assert human.stderr.count("Syncing with") == 1
    assert human.stderr.index("Syncing with") < human.stderr.index("attempt 1/3")
    machine = sk(root, "sync", "now", "--json", env=env)
    assert machine.code == 1 and machine.json()["error_code"] == "SYNC_SERVER_UNAVAILABLE"
    assert "attempt" not in machine.stderr and "Syncing" not in machine.stderr


def test_body_answers_are_checked_too(root: Path, hostile: HostileServer) -> None:
    from spec_kitty_identity import checkout_state_dir

    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=root, check=True)
    assert sk(root, "agent", "mission", "create", "Bodies", "--json").code == 0
    # A body goes out only after its index event was accepted: the strict stand-in accepts the
    # events, then every push-content answer comes from the hostile server.
    with SaasStub(token=TOKEN) as stub:
        events = sk(root, "sync", "now", "--events-only", "--json", env=server_env(stub.url))
        assert events.code == 0, events.stdout + events.stderr
    pending = None
    for answer, exit_code, code in [
        (json_answer(201, {"status": 5}), 1, "SYNC_ANSWER_INVALID"),
        (json_answer(201, {"status": "stored", "content_hash": "0" * 64}), 1,
         "SYNC_ANSWER_INVALID"),
        (gzip_bomb(), 1, "SYNC_ANSWER_TOO_LARGE"),
        (redirect(302, "https://elsewhere.example/"), 2, "SYNC_REDIRECT_REFUSED"),
    ]:  # fmt: skip
        hostile.answer = answer
        run = sk(root, "sync", "bodies", "--json", env=server_env(hostile.url))
        assert (run.code, run.json()["error_code"]) == (exit_code, code), run.stdout
        assert run.rss < MEMORY_LIMIT
        from spec_kitty_bodysync import BodyQueue

        with BodyQueue(checkout_state_dir(root) / "bodies.db") as queue:
            pending = queue.counts()["pending"] if pending is None else pending
            assert pending > 0 and queue.counts()["pending"] == pending
            assert all(t.retry_count == 0 for t in queue.tasks())
    hostile.answer = drip(0.4)
    run = sk(root, "sync", "bodies", "--max-wait", "2", "--json", env=server_env(hostile.url))
    assert (run.code, run.json()["error_code"]) == (1, "SYNC_DEADLINE_EXCEEDED")
    assert run.seconds < 2 + 10
