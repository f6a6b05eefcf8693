"""`spec-kitty sync now|status` end to end (in-process CLI, real HTTP on 127.0.0.1)."""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from saas_stub import Fault, SaasStub

TOKEN = "cli-token-never-printed"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SaasStub]:
    """The strict loopback SaaS (events validated, bodies only after accepted index events)."""
    with SaasStub(token=TOKEN) as stub:
        monkeypatch.setenv("SPEC_KITTY_SERVER_URL", stub.url + "/")
        monkeypatch.setenv("SPEC_KITTY_TOKEN", TOKEN)
        monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
        monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "2")
        yield stub


def test_sync_now_requires_a_server(project: Path, run_cli) -> None:
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "SYNC_NOT_CONFIGURED"
    assert set(err["details"]["missing"]) == {"server_url", "token"}


def test_sync_now_delivers_and_status_reports(project: Path, run_cli, server) -> None:
    for title in ("First", "Second"):
        assert run_cli("agent", "mission", "create", title, cwd=project).exit_code == 0
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout + res.stderr
    data = res.json()
    assert data["result"] == "success"
    # per mission: MissionCreated + 3 index events, 2 missing (plan.md, tasks.md), 1 snapshot
    assert data["events"]["delivered"] == 14 and data["events"]["outcome"] == "drained"
    assert data["queue"] == {
        "pending": 0,
        "delivered": 14,
        "duplicate": 0,
        "rejected": 0,
        "superseded": 0,
        "total": 14,
    }
    assert data["dossier"]["index_events"] == 0  # nothing changed since create indexed it
    assert data["bodies"]["status"] == "ran"
    assert data["bodies"]["report"]["delivered"] == 6  # meta.json, spec.md, tasks/README.md
    assert server.invalid == []
    assert TOKEN not in res.stdout + res.stderr
    build = run_cli("identity", "show", "--json", cwd=project).json()["build"]["id"]
    assert {e["build_id"] for e in server.events.values()} == {build}

    status = run_cli("sync", "status", "--json", cwd=project)
    assert status.exit_code == 0
    info = status.json()
    assert info["events"]["counts"]["delivered"] == 14
    assert info["events"]["last_run"]["outcome"] == "drained"
    dossier = {d["mission_slug"]: d for d in info["dossier"]}
    assert set(dossier) == {"001-first", "002-second"}
    assert dossier["001-first"]["artifacts_indexed"] == 3
    assert dossier["001-first"]["artifacts_missing"] == ["plan.md", "tasks.md"]
    assert dossier["001-first"]["parity"] == "clean" and dossier["001-first"]["drift"] is None
    assert info["events"]["last_error"] is None
    assert info["server"]["token_set"] is True and info["server"]["server_source"] == "env"
    assert TOKEN not in status.stdout

    human = run_cli("sync", "status", cwd=project)
    assert human.exit_code == 0 and "delivered 14" in human.stdout
    assert "Dossier 001-first: 3 indexed, missing: plan.md, tasks.md" in human.stdout
    again = run_cli("sync", "now", "--events-only", cwd=project)
    assert again.exit_code == 0 and "0 delivered" in again.stdout


def test_rejections_exit_2_and_are_kept(project: Path, run_cli, server) -> None:
    server.reject_event_types.add("MissionCreated")
    run_cli("agent", "mission", "create", "Rejected one", cwd=project)
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "SYNC_EVENTS_REJECTED"
    assert err["details"]["events"]["rejections"][0]["reason"] == "refused by the stub"
    assert err["details"]["bodies"]["status"] == "ran"
    info = run_cli("sync", "status", "--json", cwd=project).json()
    assert info["events"]["counts"]["rejected"] == 1
    assert info["events"]["rejections"][0]["reason"] == "refused by the stub"


def test_refused_bodies_exit_2(project: Path, run_cli, server) -> None:
    server.body_faults.append(Fault(status=422, error="unprocessable"))
    run_cli("agent", "mission", "create", "Bodies refused", cwd=project)
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "SYNC_BODIES_REJECTED"
    assert err["details"]["events"]["delivered"] == 7
    assert err["details"]["bodies"]["report"]["dead_letter"] == 1


def test_unreachable_server_exit_1_and_queue_keeps_events(
    project: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", TOKEN)
    monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "2")
    run_cli("agent", "mission", "create", "Offline", cwd=project)
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 1
    err = res.json()
    assert err["error_code"] == "SYNC_SERVER_UNAVAILABLE"
    assert err["details"]["bodies"]["status"] == "skipped"
    info = run_cli("sync", "status", "--json", cwd=project).json()
    assert info["events"]["counts"]["pending"] == 7
    assert info["events"]["last_error"]["code"] == "SYNC_SERVER_UNAVAILABLE"
    assert info["events"]["next_attempt_at"] is not None
    human = run_cli("sync", "now", cwd=project)
    assert human.exit_code == 1 and "SYNC_SERVER_UNAVAILABLE" in human.stderr


def test_status_on_a_fresh_checkout_creates_nothing(project: Path, run_cli) -> None:
    res = run_cli("sync", "status", "--json", cwd=project)
    assert res.exit_code == 0
    info = res.json()
    assert info["events"]["exists"] is False
    assert info["events"]["counts"]["total"] == 0
    assert not (project / ".kittify" / "state" / "events.db").exists()
    assert info["server"]["server_url"] is None


def test_status_reports_body_counts(project: Path, run_cli) -> None:
    from spec_kitty_bodysync import BodyQueue

    with BodyQueue(project / ".kittify" / "state" / "bodies.db"):
        pass
    info = run_cli("sync", "status", "--json", cwd=project).json()
    assert info["bodies"]["status"] == "ok"
    assert all(v == 0 for v in info["bodies"]["counts"].values())


def _hold_lock(path: str, ready: Any, release: Any) -> None:
    from filelock import FileLock

    with FileLock(path):
        ready.set()
        release.wait(10)


def test_one_drain_at_a_time(project: Path, run_cli, server) -> None:
    run_cli("agent", "mission", "create", "Locked", cwd=project)
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    lock = str(project / ".kittify" / "state" / "sync.lock")
    holder = ctx.Process(target=_hold_lock, args=(lock, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        res = run_cli("sync", "now", "--json", cwd=project)
        assert res.exit_code == 1 and res.json()["error_code"] == "SYNC_IN_PROGRESS"
    finally:
        release.set()
        holder.join(10)


def test_sync_help_lists_subcommands(run_cli) -> None:
    res = run_cli("sync", "--help")
    assert res.exit_code == 0
    for name in ("now", "status", "bodies"):
        assert name in res.stdout


def test_progress_bar_and_failing_body_sync(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spec_kitty_cli.commands import sync as sync_cmd

    with sync_cmd._progress(True) as factory:
        events = factory("events")
        assert events is not None
        events(1, 5)  # short drains show no bar
        events(10, 500)
        events(500, 500)
    with sync_cmd._progress(False) as factory:
        assert factory("events") is None
    from spec_kitty_bodysync import UploadAuthError
    from spec_kitty_cli.commands import sync_bodies

    def refused(root: Path, **_: object) -> dict[str, object]:
        raise UploadAuthError("token refused", details={"status_code": 401})

    monkeypatch.setattr(sync_bodies, "drain_bodies_for_checkout", refused)
    failed = sync_cmd.drain_bodies(project, None, [])
    assert failed["status"] == "failed" and failed["error_code"] == "BODY_SYNC_UNAUTHORIZED"
    assert failed["operator_fixable"] is True

    def broken(root: Path, **_: object) -> dict[str, object]:
        raise RuntimeError("a bug, not a structured error")

    monkeypatch.setattr(sync_bodies, "drain_bodies_for_checkout", broken)
    with pytest.raises(RuntimeError):
        sync_cmd.drain_bodies(project, None, [])


@pytest.mark.parametrize(
    ("url", "refused"),
    [("http://example.com", True), ("http://127.0.0.1:9", False), ("https://example.com", False)],
)
def test_status_says_when_the_server_url_would_be_refused(
    project: Path, run_cli, monkeypatch: pytest.MonkeyPatch, url: str, refused: bool
) -> None:
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", url)
    human = run_cli("sync", "status", cwd=project)
    assert human.exit_code == 0
    line = next(x for x in human.stdout.splitlines() if x.startswith("Server:"))
    assert url in line
    assert ("refused" in line) is refused


def test_status_without_a_server_names_the_command_that_sets_one(project: Path, run_cli) -> None:
    human = run_cli("sync", "status", cwd=project)
    assert "spec-kitty auth login --server URL" in human.stdout
