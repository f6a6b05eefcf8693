"""`spec-kitty dashboard` the command (URL, ports, host warning, --open) and run progress."""

from __future__ import annotations

import gc
import json
import socket
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_kitty_cli.dashboard import DashboardData, DashboardServer, bind, is_loopback
from spec_kitty_cli.missions_custom._progress import dependency_order, run_progress


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> list[DashboardServer]:
    """serve_forever returns at once as if Ctrl-C was pressed; records the servers."""
    servers: list[DashboardServer] = []

    def interrupted(self: DashboardServer, poll_interval: float = 0.5) -> None:
        servers.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(DashboardServer, "serve_forever", interrupted)
    return servers


def test_help_explains_every_option(run_cli: Callable[..., Any]) -> None:
    out = run_cli("dashboard", "--help").stdout
    for text in (
        "--host",
        "--port",
        "--open",
        "--json",
        "SPEC_KITTY_DASHBOARD_HOST",
        "SPEC_KITTY_DASHBOARD_PORT",
        "405",
        "Content-Security-Policy",
    ):
        assert text in out, text


def test_serves_on_loopback_prints_the_url_and_stops_on_ctrl_c(
    project: Path, run_cli: Callable[..., Any], no_serving: list[DashboardServer]
) -> None:
    result = run_cli("dashboard", "--port", "0", cwd=project)
    assert result.exit_code == 0
    [server] = no_serving
    port = server.server_address[1]
    assert server.server_address[0] == "127.0.0.1" and port > 0
    assert f"http://127.0.0.1:{port}/" in result.stdout
    assert "stopped" in result.stderr and "warning" not in result.stderr


def test_a_taken_port_picks_a_free_one(
    project: Path, run_cli: Callable[..., Any], no_serving: list[DashboardServer]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("dashboard", "--port", str(port), cwd=project)
    assert result.exit_code == 0
    [server] = no_serving
    assert server.server_address[1] != port
    assert f"port {port} is taken" in result.stderr


def test_another_host_must_be_explicit_and_warns(
    project: Path,
    run_cli: Callable[..., Any],
    no_serving: list[DashboardServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = run_cli("dashboard", "--host", "0.0.0.0", "--port", "0", "--open", cwd=project)
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0, not loopback" in result.stderr
    assert opened == [no_serving[0].url]


def test_bind_failures_are_structured(project: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("dashboard", "--host", "192.0.2.1", "--port", "0", "--json", cwd=project)
    # --json never binds: it prints the registry
    assert result.exit_code == 0 and "missions" in result.json()
    failed = run_cli("dashboard", "--host", "192.0.2.1", "--port", "0", cwd=project)
    assert failed.exit_code == 2
    assert "DASHBOARD_BIND_FAILED" in failed.stderr
    empty = run_cli("dashboard", "--host", " ", cwd=project)
    assert empty.exit_code == 2 and "DASHBOARD_HOST_INVALID" in empty.stderr


def test_bind_helpers(project: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    data = DashboardData(project, project)
    server, moved = bind("::1", 0, data)
    try:
        assert moved is False and server.url == f"http://[::1]:{server.server_address[1]}/"
    finally:
        server.server_close()
    with pytest.raises(OSError):
        bind("192.0.2.1", 0, data)


def _write_definition(project: Path) -> None:
    path = project / ".kittify" / "missions" / "erp" / "mission.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        {"id": "draft", "title": "Draft", "contract_ref": "specify", "depends_on": ["ask"]},
        {"id": "ask", "title": "Ask the user", "requires_inputs": ["shape"]},
        {"id": "retrospective", "title": "Retrospective", "depends_on": ["draft"]},
    ]
    doc = {"mission": {"key": "erp", "name": "ERP", "version": "1.0.0"}, "steps": steps}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_run_progress_of_a_mission_run(project: Path, run_cli: Callable[..., Any]) -> None:
    _write_definition(project)
    started = run_cli("mission", "run", "erp", "--mission", "erp-rollout", "--json", cwd=project)
    assert started.exit_code == 0
    data = DashboardData(project, project)
    doc = data.run("erp-rollout")
    run = doc["run"]
    assert run["state"] == "running" and run["definition"] == "erp"
    assert [s["id"] for s in run["steps"]] == ["ask", "draft", "retrospective"]
    assert run["counts"] == {"done": 0, "issued": 0, "waiting": 3}
    row = data.registry()["missions"][0]
    assert row["run"] == {"state": "running", "counts": run["counts"]}
    state_path = (
        Path(
            run_cli("mission", "run", "erp", "--mission", "erp-rollout", "--json").json()["run_dir"]
        )
        / "state.json"
    )
    state = json.loads(state_path.read_text())
    state.update(
        completed_steps=["ask"],
        issued_step_id="draft",
        issued={"step_id": "draft", "agent": "claude", "issued_at": "2026-12-01T00:00:00+00:00"},
        pending_decisions={"d1": {"question": "Which export?"}},
        blocked_reason="waiting on the ERP",
        status="blocked",  # the runtime records its status next to the reason
    )
    state_path.write_text(json.dumps(state))
    run = data.run("erp-rollout")["run"]
    assert run["state"] == "blocked" and run["blocked_reason"] == "waiting on the ERP"
    assert [(s["id"], s["status"], s["issued_to"]) for s in run["steps"]] == [
        ("ask", "done", None),
        ("draft", "issued", "claude"),
        ("retrospective", "waiting", None),
    ]
    assert run["open_decisions"] == [{"decision_id": "d1", "question": "Which export?"}]
    state.update(
        completed_steps=["ask", "draft", "retrospective"], blocked_reason=None, status="completed"
    )
    state_path.write_text(json.dumps(state))
    assert data.run("erp-rollout")["run"]["state"] == "completed"
    state_path.write_text("{broken")
    assert data.run("erp-rollout")["run"]["state"] == "unreadable"
    state_path.unlink()
    assert data.run("erp-rollout")["run"] == {"state": "none"}


def test_run_progress_reads_defensively(tmp_path: Path) -> None:
    assert run_progress(tmp_path, "m", "ID") == {"state": "none"}
    runtime = tmp_path / ".kittify" / "runtime"
    runtime.mkdir(parents=True)
    index = runtime / "mission-runs.json"
    index.write_text("[not json")
    assert run_progress(tmp_path, "m", "ID")["state"] == "unreadable"
    index.write_text(json.dumps({"m": {"mission_id": "OTHER", "run_id": "0" * 32}}))
    assert run_progress(tmp_path, "m", "ID") == {"state": "none"}
    index.write_text(json.dumps({"m": {"mission_id": "ID", "run_id": "../../etc"}}))
    assert run_progress(tmp_path, "m", "ID")["state"] == "unreadable"
    index.write_text(json.dumps({"m": {"mission_id": "ID", "run_id": "a" * 32}}))
    (runtime / "runs" / ("a" * 32)).mkdir(parents=True)
    (runtime / "runs" / ("a" * 32) / "state.json").write_text("[1]")
    assert run_progress(tmp_path, "m", "ID")["state"] == "unreadable"
    (runtime / "runs" / ("a" * 32) / "state.json").write_text(
        json.dumps({"pending_decisions": ["free text"], "steps": []})
    )
    assert run_progress(tmp_path, "m", "ID")["open_decisions"] == [
        {"decision_id": "0", "question": "free text"}
    ]
    runtime_state = {  # the shape `spec-kitty next` writes: an `issued` record and a `status`
        "status": "blocked",
        "issued": {"step_id": "b", "agent": "claude", "issued_at": "2031-01-01T00:00:00Z"},
        "completed_steps": ["a"],
        "steps": [{"id": "b", "depends_on": ["a"]}, {"id": "a"}, {"id": "c", "depends_on": ["b"]}],
    }
    (runtime / "runs" / ("a" * 32) / "state.json").write_text(json.dumps(runtime_state))
    run = run_progress(tmp_path, "m", "ID")
    assert run["state"] == "blocked" and run["blocked_reason"] is None
    assert [(s["id"], s["status"], s["issued_to"]) for s in run["steps"]] == [
        ("a", "done", None),
        ("b", "issued", "claude"),
        ("c", "waiting", None),
    ]
    cycle = [{"id": "a", "depends_on": ["b"]}, {"id": "b", "depends_on": ["a"]}, {"id": "c"}]
    assert [s["id"] for s in dependency_order(cycle)] == ["c", "a", "b"]


def test_memory_stays_flat_while_a_page_polls(project: Path, run_cli: Callable[..., Any]) -> None:
    slug = run_cli("agent", "mission", "create", "Poll", "--json", cwd=project).json()[
        "mission_slug"
    ]
    tasks = project / "kitty-specs" / slug / "tasks"
    for i in range(1, 21):
        (tasks / f"WP{i:02d}.md").write_text(f"---\nwork_package_id: WP{i:02d}\ntitle: T{i}\n---\n")
    assert run_cli("agent", "tasks", "finalize", "--mission", slug, "--json").exit_code == 0
    server = DashboardServer(("127.0.0.1", 0), DashboardData(project, project))
    try:

        def one_poll() -> None:  # what an open page asks every second (no change: no refetch)
            for path in ("/api/changes", f"/api/missions/{slug}/board", "/api/registry"):
                status, _ = server.answer(path)
                assert status == 200

        for _ in range(50):
            one_poll()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.take_snapshot()
        for _ in range(600):  # ten minutes of a page open
            one_poll()
        gc.collect()
        grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(base, "filename"))
        tracemalloc.stop()
    finally:
        server.server_close()
    assert grown < 64 * 1024, grown


def test_warm_reads_every_mission_once(project: Path, run_cli: Callable[..., Any]) -> None:
    for title in ("One", "Two"):
        assert run_cli("agent", "mission", "create", title, "--json", cwd=project).exit_code == 0
    data = DashboardData(project, project)
    assert data.warm() == 2 and data.cache.reads == 2
    data.registry()
    assert data.cache.reads == 2
    (project / "kitty-specs" / "001-one" / "meta.json").write_text("{broken")
    assert data.warm() == 2  # a broken mission is reported by the page, not by warm()
