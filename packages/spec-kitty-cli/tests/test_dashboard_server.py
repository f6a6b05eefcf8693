"""`spec-kitty dashboard`: the JSON endpoints are the CLI's records; the server is read-only and safe."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_cli.dashboard import CSP, DashboardData, DashboardServer, bind

TOKEN = "tok-7f3a9c-never-on-the-page"


class Client:
    def __init__(self, server: DashboardServer) -> None:
        self.port = server.server_address[1]

    def request(
        self, method: str, path: str, *, host: str | None = None, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": host or f"127.0.0.1:{self.port}"}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def get(self, path: str) -> tuple[int, Any]:
        status, _, body = self.request("GET", path)
        return status, json.loads(body)


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> str:
    slug = str(
        run_cli("agent", "mission", "create", "Board", "--json", cwd=project).json()["mission_slug"]
    )
    tasks = project / "kitty-specs" / slug / "tasks"
    deps = {"WP01": [], "WP02": ["WP01"], "WP03": ["WP01", "WP02"], "WP04": []}
    for wp, dep in deps.items():
        (tasks / f"{wp}-x.md").write_text(
            f"---\nwork_package_id: {wp}\ntitle: Task {wp}\ndependencies: {json.dumps(dep)}\n---\n"
        )
    assert run_cli("agent", "tasks", "finalize", "--mission", slug, "--json").exit_code == 0
    for wp, lane, actor in (
        ("WP01", "claimed", "ann"),
        ("WP01", "in_progress", "ann"),
        ("WP02", "claimed", "bob"),
        ("WP02", "in_progress", "bob"),
    ):
        move = ("agent", "tasks", "move", wp, "--to", lane, "--mission", slug, "--actor", actor)
        assert run_cli(*move, "--json").exit_code == 0
    blocked = ("agent", "tasks", "move", "WP02", "--to", "blocked", "--mission", slug)
    assert run_cli(*blocked, "--note", "needs <b>keys</b>", "--json").exit_code == 0
    return slug


@pytest.fixture
def served(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[DashboardServer, Client]]:
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", "https://saas.example.invalid")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", TOKEN)
    logged: list[str] = []
    server, _ = bind("127.0.0.1", 0, DashboardData(project, project), log=logged.append)
    server.logged = logged  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server, Client(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_json_endpoints_return_the_cli_records(
    served: Any, mission: str, run_cli: Callable[..., Any]
) -> None:
    _, client = served
    same = {
        "/api/missions": ("mission", "list"),
        f"/api/missions/{mission}/status": ("status", "--mission", mission),
        "/api/sync": ("sync", "status"),
        "/api/identity": ("identity", "show"),
    }
    for path, args in same.items():
        status, doc = client.get(path)
        assert status == 200, path
        assert doc == run_cli(*args, "--json").json(), path


def test_board_cards_show_dependencies_holder_lane_time_and_block_reason(
    served: Any, mission: str
) -> None:
    _, client = served
    status, board = client.get(f"/api/missions/{mission}/board")
    assert status == 200 and board["lanes"][0] == "planned" and len(board["lanes"]) == 8
    cards = {wp["wp_id"]: wp for wp in board["work_packages"]}
    assert {k: v["lane"] for k, v in cards.items()} == {
        "WP01": "in_progress",
        "WP02": "blocked",
        "WP03": "planned",
        "WP04": "planned",
    }
    assert cards["WP01"]["holder"] == "ann" and cards["WP02"]["holder"] is None
    assert cards["WP02"]["block_reason"] == "needs <b>keys</b>"
    assert cards["WP01"]["block_reason"] is None
    assert cards["WP03"]["dependencies_detail"] == [
        {"wp_id": "WP01", "lane": "in_progress", "met": False},
        {"wp_id": "WP02", "lane": "blocked", "met": False},
    ]
    assert cards["WP03"]["dependencies_met"] is False and cards["WP04"]["dependencies_met"] is True
    assert cards["WP01"]["in_lane_since"] > cards["WP03"]["in_lane_since"]


def test_history_timeline_and_not_found(served: Any, mission: str) -> None:
    _, client = served
    status, doc = client.get(f"/api/missions/{mission}/wps/WP02/history")
    assert status == 200 and doc["total_entries"] == 4 and doc["truncated"] == 0
    moves = [(e["from_lane"], e["to_lane"], e["actor"]) for e in doc["history"]]
    assert moves[0] == (None, "planned", "finalize-tasks")
    assert moves[1:3] == [("planned", "claimed", "bob"), ("claimed", "in_progress", "bob")]
    assert (
        doc["history"][-1]["to_lane"] == "blocked"
        and doc["history"][-1]["note"] == "needs <b>keys</b>"
    )
    status, doc = client.get(f"/api/missions/{mission}/timeline")
    assert status == 200 and doc["transitions"] == 9
    assert doc["points"][-1]["counts"] == [2, 0, 1, 0, 0, 0, 1, 0]
    assert doc["points"][3]["counts"] == [4, 0, 0, 0, 0, 0, 0, 0]
    for path, code in (
        (f"/api/missions/{mission}/wps/WP99/history", "WP_NOT_FOUND"),
        ("/api/missions/999-nothing/board", "MISSION_NOT_FOUND"),
        ("/api/nothing", "NOT_FOUND"),
    ):
        status, doc = client.get(path)
        assert (status, doc["result"], doc["error_code"]) == (404, "error", code), path


def test_registry_is_what_dashboard_json_prints(
    served: Any, mission: str, run_cli: Callable[..., Any]
) -> None:
    _, client = served
    status, doc = client.get("/api/registry")
    printed = run_cli("dashboard", "--json").json()
    assert status == 200 and doc == printed
    [row] = doc["missions"]
    assert row["mission_slug"] == mission and row["total_wps"] == 4
    assert row["summary"] == {
        "planned": 2,
        "claimed": 0,
        "in_progress": 1,
        "for_review": 0,
        "approved": 0,
        "done": 0,
        "blocked": 1,
        "canceled": 0,
    }
    assert row["run"] == {"state": "none"} and row["last_activity"].startswith("20")
    assert doc["endpoints"]["board"] == "/api/missions/{mission}/board"


def test_only_get_is_answered(served: Any, mission: str) -> None:
    _, client = served
    for method in ("POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"):
        status, headers, body = client.request(method, "/api/registry", body=b'{"x": 1}')
        assert status == 405, method
        assert headers["allow"] == "GET"
        if method != "HEAD":
            assert json.loads(body)["error_code"] == "METHOD_NOT_ALLOWED"


def test_every_answer_is_locked_down_and_never_carries_the_token(served: Any, mission: str) -> None:
    _server, client = served
    paths = ["/", "/static/app.js", "/static/plot.js", "/static/app.css", "/static/icon.svg"]
    paths += [p.format(mission=mission, wp_id="WP01") for p in _endpoints()]
    for path in paths:
        status, headers, body = client.request("GET", path)
        assert status == 200, path
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert TOKEN.encode() not in body, path
    _, sync = client.get("/api/sync")
    assert sync["server"]["server_url"] == "https://saas.example.invalid"
    assert sync["server"]["token_set"] is True
    page = client.request("GET", "/")[2].decode()
    assert "http://" not in page and "https://" not in page  # no external asset
    assert "<script>" not in page  # no inline script: only src= from this origin


def _endpoints() -> list[str]:
    from spec_kitty_cli.dashboard import ENDPOINTS

    return list(ENDPOINTS.values())


def test_no_path_outside_the_routes_is_served(served: Any, mission: str, project: Path) -> None:
    _, client = served
    (project / "secret.txt").write_text("top secret")
    for path in (
        "/secret.txt",
        "/../secret.txt",
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/etc/passwd",
        "/api/missions/..%2f..%2fsecret/board",
        "/api/missions/../board",
        f"/api/missions/{mission}/wps/..%2fmeta/history",
        "//etc/passwd",
        "/static/",
        "/" + "a" * 5000,
    ):
        status, _, body = client.request("GET", path)
        assert status in (404, 414), path
        assert b"top secret" not in body


def test_a_foreign_host_header_is_refused(served: Any) -> None:
    _, client = served
    status, _, body = client.request("GET", "/api/registry", host="attacker.example:80")
    assert status == 403 and json.loads(body)["error_code"] == "HOST_NOT_ALLOWED"
    status, _, _ = client.request("GET", "/api/registry", host=f"localhost:{client.port}")
    assert status == 200


def test_changes_token_moves_with_a_transition_and_the_cache_reads_once(
    served: Any, mission: str, run_cli: Callable[..., Any]
) -> None:
    server, client = served
    _, first = client.get("/api/changes")
    for _ in range(3):
        client.get(f"/api/missions/{mission}/board")
    reads = server.data.cache.reads
    assert client.get("/api/changes")[1]["token"] == first["token"]
    move = ("agent", "tasks", "move", "WP04", "--to", "claimed", "--mission", mission)
    assert run_cli(*move, "--json").exit_code == 0
    assert client.get("/api/changes")[1]["token"] != first["token"]
    _, board = client.get(f"/api/missions/{mission}/board")
    assert {w["wp_id"]: w["lane"] for w in board["work_packages"]}["WP04"] == "claimed"
    # the appended lines were folded into the cached view; the log was not read again
    assert server.data.cache.reads == reads and server.data.cache.extended == 1


def test_a_broken_mission_is_reported_not_fatal(
    served: Any, mission: str, project: Path, run_cli: Callable[..., Any]
) -> None:
    _, client = served
    other = str(run_cli("agent", "mission", "create", "Other", "--json").json()["mission_slug"])
    (project / "kitty-specs" / other / "status.events.jsonl").write_text("{not json}\n")
    status, doc = client.get("/api/registry")
    assert status == 200
    rows = {r["mission_slug"]: r for r in doc["missions"]}
    assert rows[other]["error"]["code"] == "STATUS_LOG_CORRUPT" and "summary" not in rows[other]
    assert rows[mission]["total_wps"] == 4
    status, doc = client.get(f"/api/missions/{other}/board")
    assert status == 422 and doc["result"] == "error" and doc["details"]["line"] == 1


def test_an_unexpected_failure_is_a_500_without_traceback(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = served

    def boom() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(server.data, "sync", boom)
    status, doc = client.get("/api/sync")
    assert status == 500 and doc["error_code"] == "INTERNAL_ERROR"
    assert "secret internals" not in json.dumps(doc)
    assert any("secret internals" in line for line in server.logged)
