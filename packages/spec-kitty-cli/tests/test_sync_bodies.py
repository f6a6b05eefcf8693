"""`spec-kitty sync bodies` against a real loopback push-content server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from saas_stub import Fault, SaasStub

UPLOAD_KEYS = {
    "project_uuid", "mission_slug", "target_branch", "mission_type", "manifest_version",
    "artifact_path", "content_hash", "hash_algorithm", "content_body",
}  # fmt: skip


@pytest.fixture
def saas(monkeypatch: pytest.MonkeyPatch) -> Iterator[SaasStub]:
    """The strict loopback SaaS: a body goes through only after its accepted index event."""
    with SaasStub(token="tok-bodies-123") as stub:
        monkeypatch.setenv("SPEC_KITTY_SERVER_URL", stub.url)
        monkeypatch.setenv("SPEC_KITTY_TOKEN", stub.token)
        monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
        monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "2")
        yield stub


def _uploads(saas: SaasStub) -> list[dict[str, Any]]:
    return list(saas.bodies.values())


def _mission(run_cli: Any, project: Path, title: str, **files: str) -> Path:
    res = run_cli("agent", "mission", "create", title, "--json", cwd=project)
    assert res.exit_code == 0, res.stdout + res.stderr
    folder = Path(res.json()["mission_dir"])
    for rel, text in files.items():
        path = folder / rel.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _artifacts(folder: Path) -> set[str]:
    from spec_kitty_bodysync import collect_artifacts

    return {a.artifact_path for a in collect_artifacts(folder).artifacts}


def test_offline_indexes_and_bodies_wait_for_their_index_events(
    project: Path, run_cli: Any
) -> None:
    folder = _mission(run_cli, project, "User auth", **{"plan.md": "# Plan\n"})
    n = len(_artifacts(folder))
    assert {"meta.json", "plan.md"} <= _artifacts(folder)
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    data = res.json()
    assert data["result"] == "success"
    assert (data["indexed"], data["index_events"]) == (1, 2)  # plan.md and the snapshot
    assert data["missing"] == [{"mission_slug": folder.name, "artifact_path": "tasks.md"}]
    assert (data["pending"], data["delivered"], data["dead_letter"]) == (0, 0, 0)
    assert data["server"] == "offline" and data["status"] == "queued offline"
    assert Path(data["queue_file"]) == project / ".kittify" / "state" / "bodies.db"
    shown = run_cli("dossier", "show", "--mission", folder.name, "--json", cwd=project).json()
    assert len(shown["artifacts"]) == n
    assert {a["body_state"] for a in shown["artifacts"]} == {"waiting_for_index"}
    assert {a["index_state"] for a in shown["artifacts"]} == {"queued"}
    again = run_cli("sync", "bodies", "--json", cwd=project).json()
    assert (again["indexed"], again["index_events"], again["pending"]) == (0, 0, 0)


def test_delivers_under_the_canonical_namespace(
    project: Path, run_cli: Any, saas: SaasStub
) -> None:
    folder = _mission(
        run_cli, project, "User auth",
        **{"plan.md": "# Plan\n", "tasks__WP01-login.md": "---\nwork_package_id: WP01\n---\n"},
    )  # fmt: skip
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    data = res.json()
    n = len(_artifacts(folder))
    assert (data["delivered"], data["pending"], data["status"]) == (n, 0, "drained")
    assert data["queue"] == {"pending": 0, "delivered": n, "dead_letter": 0, "parked": 0}
    assert {a[0] for a in saas.body_answers} == {201}  # nothing sent before its index event
    meta = json.loads((folder / "meta.json").read_text())
    from spec_kitty_identity import load_project_identity

    project_uuid = load_project_identity(project).project_uuid
    assert {r["artifact_path"] for r in _uploads(saas)} == _artifacts(folder)
    for body in _uploads(saas):
        assert set(body) == UPLOAD_KEYS
        assert body["project_uuid"] == project_uuid
        assert body["mission_slug"] == meta["mission_slug"] == folder.name
        assert body["mission_type"] == meta["mission_type"]
        assert body["target_branch"] == meta["target_branch"] == "main"
        assert body["manifest_version"] == "1"
        assert body["hash_algorithm"] == "sha256"
        on_disk = (folder / body["artifact_path"]).read_bytes()
        assert body["content_body"].encode("utf-8") == on_disk
    assert saas.invalid == []
    again = run_cli("sync", "bodies", "--json", cwd=project).json()
    assert again["delivered"] == 0 and len(saas.body_answers) == n
    assert again["index_events"] == 0


def test_mission_selector_and_unknown_mission(project: Path, run_cli: Any, saas: SaasStub) -> None:
    first = _mission(run_cli, project, "First one")
    _mission(run_cli, project, "Second one")
    data = run_cli("sync", "bodies", "--mission", first.name, "--json", cwd=project).json()
    assert data["missions"] == [first.name]
    assert {r["mission_slug"] for r in _uploads(saas)} == {first.name}
    res = run_cli("sync", "bodies", "--mission", "999-nope", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "MISSION_NOT_FOUND"


def test_too_large_body_is_reported_not_indexed(project: Path, run_cli: Any) -> None:
    folder = _mission(run_cli, project, "Big one", **{"research__dump.md": "x" * 524_289})
    data = run_cli("sync", "bodies", "--json", cwd=project).json()
    assert data["skipped"] == [
        {
            "mission_slug": folder.name,
            "artifact_path": "research/dump.md",
            "reason": "too_large",
            "detail": "524,289 bytes; the upload limit is 524,288 bytes",
        }
    ]
    shown = run_cli("dossier", "show", "--mission", folder.name, "--json", cwd=project).json()
    assert "research/dump.md" not in {a["artifact_path"] for a in shown["artifacts"]}


def test_server_refusal_is_a_dead_letter_and_exit_2(
    project: Path, run_cli: Any, saas: SaasStub
) -> None:
    _mission(run_cli, project, "Refused")
    saas.body_faults.append(Fault(status=400, error="validation_error"))
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 2
    err = res.json()
    assert err["error_code"] == "SYNC_BODIES_REJECTED"
    assert err["details"]["dead_letter"] == 1
    assert err["details"]["failures"][0]["reason"] == "HTTP 400: validation_error"
    assert err["details"]["queue"]["dead_letter"] == 1


def test_bad_token_is_a_structured_error(project: Path, run_cli: Any, saas: SaasStub) -> None:
    _mission(run_cli, project, "Auth")
    saas.body_faults.append(Fault(status=401, error="expired"))
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 2
    assert res.json()["error_code"] == "BODY_SYNC_UNAUTHORIZED"
    assert "tok-bodies-123" not in res.stdout


def test_unreachable_server_is_exit_1_and_keeps_everything(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SPEC_KITTY_SERVER_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SPEC_KITTY_TOKEN", "tok")
    monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "2")
    _mission(run_cli, project, "Offline server")
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 1
    err = res.json()
    assert err["error_code"] == "SYNC_SERVER_UNAVAILABLE"
    assert err["details"]["status"] == "events not delivered"
    assert err["details"]["events"]["deferred"] > 0


def test_human_output(project: Path, run_cli: Any) -> None:
    _mission(run_cli, project, "Human", **{"contracts__api.bin.png": "x"})
    res = run_cli("sync", "bodies", cwd=project)
    assert res.exit_code == 0
    assert "queued offline" in res.stdout
    assert "unsupported_extension" in res.stdout
    assert "missing" in res.stdout and "plan.md" in res.stdout


def test_drain_for_checkout_reports_progress(project: Path, run_cli: Any, saas: SaasStub) -> None:
    from spec_kitty_cli._events import drain_checkout
    from spec_kitty_cli.commands.sync_bodies import drain_bodies_for_checkout

    folder = _mission(run_cli, project, "Progress")
    drain_checkout(project, server_url=saas.url, token=saas.token)  # the index events first
    seen: list[tuple[int, int]] = []
    data = drain_bodies_for_checkout(project, progress=lambda d, t: seen.append((d, t)))
    n = len(_artifacts(folder))
    assert data["delivered"] == n and seen[-1] == (n, n)
    assert drain_bodies_for_checkout(project, progress=True)["enqueued"] == 0


def test_sync_now_delivers_bodies_after_events(project: Path, run_cli: Any, saas: SaasStub) -> None:
    folder = _mission(run_cli, project, "Now")
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout + res.stderr
    bodies = res.json()["bodies"]
    assert bodies["status"] == "ran"
    assert bodies["report"]["delivered"] == len(_artifacts(folder))
    assert {r["mission_slug"] for r in _uploads(saas)} == {folder.name}
    assert {a[0] for a in saas.body_answers} == {201}


def test_a_second_drain_of_the_same_queue_waits_its_turn(
    project: Path, run_cli: Any, saas: SaasStub
) -> None:
    from filelock import FileLock

    _mission(run_cli, project, "Locked")
    lock = FileLock(str(project / ".kittify" / "state" / "bodies.db") + ".lock")
    with lock:
        data = run_cli("sync", "bodies", "--json", cwd=project).json()
    assert data["status"] == "drain already running" and data["pending"] == 0
    assert saas.body_answers == []


def test_long_drain_shows_a_progress_bar(
    project: Path, run_cli: Any, saas: SaasStub, capsys: pytest.CaptureFixture[str]
) -> None:
    from spec_kitty_cli._events import drain_checkout
    from spec_kitty_cli.commands.sync_bodies import LONG_DRAIN, drain_bodies_for_checkout
    from spec_kitty_cli.dossier._steps import index_step

    files = {f"tasks__WP{i:02d}.md": f"# WP{i:02d}\n" for i in range(LONG_DRAIN)}
    _mission(run_cli, project, "Many", **files)
    index_step(project, None)
    drain_checkout(project, server_url=saas.url, token=saas.token)
    capsys.readouterr()
    data = drain_bodies_for_checkout(project, progress=True)
    assert data["delivered"] >= LONG_DRAIN and data["pending"] == 0
