"""`spec-kitty tracker bind` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TOKEN = "tracker-token"
CANDIDATES = [
    {
        "candidate_token": "tok-b",
        "display_label": "Beta",
        "confidence": "medium",
        "match_reason": "name",
        "sort_position": 1,
    },
    {
        "candidate_token": "tok-a",
        "display_label": "Alpha",
        "confidence": "high",
        "match_reason": "repo",
        "sort_position": 0,
    },
]


@pytest.fixture(scope="module")
def _server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(_server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPServer]:
    _server.clear()
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", _server.url_for("/"))
    monkeypatch.setenv("SPEC_KITTY_TOKEN", TOKEN)
    monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "3")
    yield _server
    _server.clear()


@pytest.fixture
def repo(project: Path) -> Path:
    subprocess.run(
        ["git", "remote", "add", "origin", "https://github.com/acme/widgets.git"],
        cwd=project,
        check=True,
    )
    return project


class Recorder:
    def __init__(self, answers: list[tuple[int, dict[str, Any]]]) -> None:
        self.answers = answers
        self.calls: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Response:
        self.calls.append(
            {"json": json.loads(request.get_data()), "headers": dict(request.headers)}
        )
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return Response(json.dumps(body), status=status, content_type="application/json")


def expect(server: HTTPServer, name: str, *answers: tuple[int, dict[str, Any]]) -> Recorder:
    rec = Recorder(list(answers))
    server.expect_request(f"/api/v1/tracker/{name}/", method="POST").respond_with_handler(rec)
    return rec


CONFIRMED = {
    "binding_ref": "lin:proj-1",
    "display_label": "Widgets",
    "provider": "linear",
    "provider_context": {"team": "ACME"},
    "bound_at": "2026-05-09T10:00:00+00:00",
}


def test_exact_match_confirms_and_stores_binding(repo: Path, run_cli, server) -> None:
    resolve = expect(
        server, "bind-resolve", (200, {"match_type": "exact", "candidate_token": "tok-x"})
    )
    confirm = expect(server, "bind-confirm", (503, {}), (200, CONFIRMED))
    res = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=repo)
    assert res.exit_code == 0, res.stdout + res.stderr
    data = res.json()
    ident = run_cli("identity", "show", "--json", cwd=repo).json()
    expected_identity = {
        "uuid": ident["project"]["uuid"],
        "slug": ident["project"]["slug"],
        "node_id": ident["node"]["id"],
        "repo_slug": "acme/widgets",
        "build_id": ident["build"]["id"],
    }
    assert resolve.calls[0]["json"] == {"provider": "linear", "project_identity": expected_identity}
    assert resolve.calls[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert len(confirm.calls) == 2
    keys = {c["headers"]["Idempotency-Key"] for c in confirm.calls}
    assert len(keys) == 1  # one key for every retry of this bind
    assert confirm.calls[0]["json"]["candidate_token"] == "tok-x"
    assert data["match_type"] == "exact"
    assert data["tracker"]["binding_ref"] == "lin:proj-1"
    from spec_kitty_identity import read_config

    stored = read_config(repo)["tracker"]
    assert stored["binding_ref"] == "lin:proj-1" and stored["provider_context"] == {"team": "ACME"}
    assert stored["project_slug"] == expected_identity["slug"]
    status = run_cli("tracker", "status", "--json", cwd=repo).json()
    assert status["bound"] is True and status["tracker"] == stored
    assert "Bound to linear" in run_cli("tracker", "status", cwd=repo).stdout

    again = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=repo)
    assert again.exit_code == 2 and again.json()["error_code"] == "TRACKER_ALREADY_BOUND"
    replaced = run_cli("tracker", "bind", "--provider", "linear", "--replace", cwd=repo)
    assert replaced.exit_code == 0 and "Bound to linear: Widgets" in replaced.stdout


def test_candidates_need_select(repo: Path, run_cli, server) -> None:
    expect(server, "bind-resolve", (200, {"match_type": "candidates", "candidates": CANDIDATES}))
    confirm = expect(server, "bind-confirm", (200, CONFIRMED))
    res = run_cli("tracker", "bind", "--provider", "jira", "--json", cwd=repo)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "TRACKER_BIND_AMBIGUOUS"
    assert [c["display_label"] for c in err["details"]["candidates"]] == ["Alpha", "Beta"]
    out = run_cli("tracker", "bind", "--provider", "jira", "--select", "3", "--json", cwd=repo)
    assert out.json()["error_code"] == "TRACKER_SELECT_OUT_OF_RANGE"
    ok = run_cli("tracker", "bind", "--provider", "jira", "--select", "2", "--json", cwd=repo)
    assert ok.exit_code == 0
    assert confirm.calls[-1]["json"]["candidate_token"] == "tok-b"


def test_no_match_is_an_error(repo: Path, run_cli, server) -> None:
    expect(server, "bind-resolve", (200, {"match_type": "none", "candidates": []}))
    res = run_cli("tracker", "bind", "--provider", "github", "--json", cwd=repo)
    assert res.exit_code == 2 and res.json()["error_code"] == "TRACKER_NO_MATCH"


def test_bind_ref_is_validated(repo: Path, run_cli, server) -> None:
    validate = expect(
        server,
        "bind-validate",
        (200, {"valid": False, "reason": "revoked", "guidance": "rebind"}),
        (200, {"valid": True, "binding_ref": "gh:acme/widgets", "display_label": "acme/widgets"}),
    )
    bad = run_cli(
        "tracker", "bind", "--provider", "github", "--bind-ref", "gh:old", "--json", cwd=repo
    )
    assert bad.exit_code == 2
    assert bad.json()["error_code"] == "TRACKER_BIND_REF_INVALID"
    assert bad.json()["details"]["reason"] == "revoked"
    ok = run_cli(
        "tracker",
        "bind",
        "--provider",
        "github",
        "--bind-ref",
        "gh:acme/widgets",
        "--json",
        cwd=repo,
    )
    assert ok.exit_code == 0
    assert ok.json()["match_type"] == "bind_ref"
    assert validate.calls[-1]["json"]["binding_ref"] == "gh:acme/widgets"


def test_missing_repo_slug_never_reaches_the_server(project: Path, run_cli, server) -> None:
    resolve = expect(server, "bind-resolve", (200, {"match_type": "none"}))
    res = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=project)
    assert res.exit_code == 2 and res.json()["error_code"] == "TRACKER_REPO_SLUG_UNKNOWN"
    assert resolve.calls == []


@pytest.mark.parametrize(
    ("status", "body", "code", "exit_code"),
    [
        (401, {"error_code": "token_expired", "message": "expired"}, "TRACKER_AUTH_FAILED", 2),
        (409, {"message": "taken"}, "TRACKER_BIND_FAILED", 2),
        (200, {"match_type": "exact"}, "TRACKER_BAD_RESPONSE", 1),
    ],
)
def test_server_errors_are_structured(repo, run_cli, server, status, body, code, exit_code):
    expect(server, "bind-resolve", (status, body))
    res = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=repo)
    assert res.exit_code == exit_code
    assert res.json()["error_code"] == code
    assert TOKEN not in res.stdout


def test_non_json_answer_and_unreachable_server(repo, run_cli, server, monkeypatch) -> None:
    server.expect_request("/api/v1/tracker/bind-resolve/").respond_with_data("<html>")
    res = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=repo)
    assert res.json()["error_code"] == "TRACKER_BAD_RESPONSE"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", f"http://127.0.0.1:{port}")
    res = run_cli("tracker", "bind", "--provider", "linear", "--json", cwd=repo)
    assert res.exit_code == 1
    err = res.json()
    assert err["error_code"] == "TRACKER_SERVER_UNAVAILABLE" and err["details"]["attempts"] == 3


def test_unknown_provider_is_a_usage_error(repo: Path, run_cli) -> None:
    res = run_cli("tracker", "bind", "--provider", "azure_devops", "--json", cwd=repo)
    assert res.exit_code == 2 and res.json()["error_code"] == "USAGE_ERROR"
    status = run_cli("tracker", "status", cwd=repo)
    assert "Not bound" in status.stdout
