"""Body sync end to end: the installed `spec-kitty` script, a real git project, a loopback SaaS.

Legacy queue rows (pre-cutover column names, written here literally as an old spec-kitty left
them) go through `spec-kitty upgrade` into `.kittify/state/bodies.db` with their retry state and
are then delivered by `spec-kitty sync bodies` next to the freshly indexed artifacts, against the
strict loopback SaaS: a body is accepted only after its index event. A legacy row no index event
covers (its file changed or vanished since it was queued) gets an index event built from the row
itself, so nothing queued is lost.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from saas_stub import SaasStub

KEYS = {
    "project_uuid", "mission_slug", "target_branch", "mission_type", "manifest_version",
    "artifact_path", "content_hash", "hash_algorithm", "content_body",
}  # fmt: skip
SCRIPT = shutil.which("spec-kitty", path=str(Path(sys.executable).parent)) or "spec-kitty"


def sk(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any]:
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run(
        [SCRIPT, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, out.stdout + out.stderr
    return out.returncode, json.loads(lines[0])


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@spec-kitty.invalid")
    git(root, "config", "user.name", "spec-kitty test")
    assert sk(root, "init", str(root), "--json")[0] == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def _env(stub: SaasStub) -> dict[str, str]:
    return {
        "SPEC_KITTY_SERVER_URL": stub.url,
        "SPEC_KITTY_TOKEN": stub.token,
        "SPEC_KITTY_SYNC_BACKOFF_BASE": "0.01",
    }


def _legacy_queue(path: Path, project_uuid: str, mission_slug: str) -> None:
    import hashlib

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    conn.execute(
        "CREATE TABLE body_upload_queue (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "project_uuid TEXT NOT NULL, feature_slug TEXT NOT NULL, target_branch TEXT NOT NULL, "
        "mission_key TEXT NOT NULL, manifest_version TEXT NOT NULL, artifact_path TEXT NOT NULL, "
        "content_hash TEXT NOT NULL, hash_algorithm TEXT NOT NULL DEFAULT 'sha256', "
        "content_body TEXT NOT NULL, size_bytes INTEGER NOT NULL, "
        "retry_count INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0.0, "
        "created_at REAL NOT NULL, last_error TEXT)"
    )
    body = "# Old research note\n"
    conn.execute(
        "INSERT INTO body_upload_queue (project_uuid, feature_slug, target_branch, mission_key, "
        "manifest_version, artifact_path, content_hash, hash_algorithm, content_body, size_bytes, "
        "retry_count, next_attempt_at, created_at, last_error) "
        "VALUES (?, ?, 'main', 'software-dev', '1', 'research/old.md', ?, 'sha256', ?, ?, 2, 0.0, ?, "
        "'HTTP 503')",
        (project_uuid, mission_slug, hashlib.sha256(body.encode()).hexdigest(), body,
         len(body), time.time() - 3600),
    )  # fmt: skip
    conn.commit()
    conn.close()


def test_offline_then_upgrade_legacy_then_deliver_everything(project: Path) -> None:
    from spec_kitty_bodysync import collect_artifacts

    code, created = sk(project, "agent", "mission", "create", "User auth", "--json")
    assert code == 0, created
    folder = Path(created["mission_dir"])
    (folder / "plan.md").write_text("# Plan\n", encoding="utf-8")
    (folder / "tasks").mkdir(exist_ok=True)
    (folder / "tasks" / "WP01-login.md").write_text("---\nwork_package_id: WP01\n---\n")

    code, offline = sk(project, "sync", "bodies", "--json")
    assert code == 0, offline
    assert offline["status"] == "queued offline" and offline["indexed"] == 2  # plan, WP01
    assert offline["pending"] == 0  # bodies wait for their index events
    fresh = len(collect_artifacts(folder).artifacts)

    from spec_kitty_identity import load_project_identity

    project_uuid = load_project_identity(project).project_uuid
    _legacy_queue(Path(os.environ["HOME"]) / ".spec-kitty" / "queue.db", project_uuid, folder.name)
    code, upgraded = sk(project, "upgrade", "--yes", "--json")
    assert code == 0, upgraded

    from spec_kitty_bodysync import BodyQueue

    with BodyQueue(project / ".kittify" / "state" / "bodies.db") as queue:
        old = [t for t in queue.tasks() if t.artifact_path == "research/old.md"]
        assert len(old) == 1 and old[0].retry_count == 2 and old[0].last_error == "HTTP 503"
        assert old[0].mission_slug == folder.name and old[0].mission_type == "software-dev"

    with SaasStub(token="tok-integration") as stub:
        code, online = sk(project, "sync", "bodies", "--json", env=_env(stub))
        assert code == 0, online
        assert online["delivered"] == fresh + 1 and online["pending"] == 0, online
        assert online["requeued"] == [
            {"mission_slug": folder.name, "artifact_path": "research/old.md"}
        ]
        bodies = list(stub.bodies.values())
        assert all(set(r) == KEYS for r in bodies)
        assert {r["artifact_path"] for r in bodies} >= {"meta.json", "plan.md",
                                                        "tasks/WP01-login.md", "research/old.md"}  # fmt: skip
        assert {r["project_uuid"] for r in bodies} == {project_uuid}
        assert {a[0] for a in stub.body_answers} == {201} and stub.invalid == []

        code, again = sk(project, "sync", "bodies", "--json", env=_env(stub))
        assert (code, again["delivered"], again["enqueued"], again["index_events"]) == (0, 0, 0, 0)
        assert len(stub.body_answers) == fresh + 1

    code, status = sk(project, "sync", "status", "--json")
    assert code == 0, status
    assert status["bodies"]["counts"]["delivered"] == fresh + 1
    assert status["dossier"][0]["parity"] == "clean"


def test_blank_namespace_field_is_refused_before_the_queue(project: Path) -> None:
    code, created = sk(project, "agent", "mission", "create", "Blank branch", "--json")
    assert code == 0
    meta_path = Path(created["mission_dir"]) / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["target_branch"] = "   "
    meta_path.write_text(json.dumps(meta))
    code, err = sk(project, "sync", "bodies", "--json")
    assert code == 2
    assert err["result"] == "error" and err["details"].get("key") == "target_branch"
    assert not (project / ".kittify" / "state" / "bodies.db").exists() or _count(project) == 0


def _count(project: Path) -> int:
    conn = sqlite3.connect(str(project / ".kittify" / "state" / "bodies.db"))
    try:
        return int(conn.execute("SELECT COUNT(*) FROM body_upload_queue").fetchone()[0])
    finally:
        conn.close()
