"""The dossier pipeline's faults against the strict loopback SaaS: superseded index events,
TOCTOU between indexing and upload, unreadable and non-UTF-8 artifacts, 404
index_entry_not_found, kill -9 between the index event and its body, `dossier show`."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from saas_stub import SaasStub
from spec_kitty_events.conformance import validate_event


@pytest.fixture
def saas(monkeypatch: pytest.MonkeyPatch) -> Iterator[SaasStub]:
    with SaasStub(token="tok-dossier") as stub:
        monkeypatch.setenv("SPEC_KITTY_SERVER_URL", stub.url)
        monkeypatch.setenv("SPEC_KITTY_TOKEN", stub.token)
        monkeypatch.setenv("SPEC_KITTY_SYNC_BACKOFF_BASE", "0.01")
        monkeypatch.setenv("SPEC_KITTY_SYNC_MAX_ATTEMPTS", "2")
        yield stub


def _mission(run_cli: Any, project: Path, title: str = "Checkout") -> Path:
    res = run_cli("agent", "mission", "create", title, "--json", cwd=project)
    assert res.exit_code == 0, res.stdout + res.stderr
    return Path(res.json()["mission_dir"])


def _delivery(project: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(project / ".kittify" / "state" / "events.db") as conn:
        rows = conn.execute(
            "SELECT d.event_id, d.state, d.superseded_by FROM event_delivery d"
        ).fetchall()
    return {eid: (state, by) for eid, state, by in rows}


def _indexed_paths(stub: SaasStub) -> list[tuple[str, str]]:
    return [
        (e["payload"]["artifact_id"]["path"], e["payload"]["content_ref"]["hash"])
        for e in stub.events.values()
        if e["event_type"] == "MissionDossierArtifactIndexed"
    ]


def test_an_unsent_index_event_is_superseded_never_one_already_sent(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _mission(run_cli, project)
    (folder / "plan.md").write_text("# Plan v1\n")
    first = run_cli("sync", "bodies", "--json", cwd=project).json()  # offline: queued, unsent
    assert first["indexed"] == 1
    (folder / "plan.md").write_text("# Plan v2, longer\n")
    second = run_cli("sync", "bodies", "--json", cwd=project).json()
    assert (second["indexed"], second["superseded"]) == (1, 1)
    states = _delivery(project)
    superseded = [eid for eid, (state, _) in states.items() if state == "superseded"]
    assert len(superseded) == 1
    assert states[superseded[0]][1] in states  # names the newer event
    with SaasStub(token="tok-dossier") as stub:
        monkeypatch.setenv("SPEC_KITTY_SERVER_URL", stub.url)
        monkeypatch.setenv("SPEC_KITTY_TOKEN", stub.token)
        res = run_cli("sync", "now", "--json", cwd=project)
        assert res.exit_code == 0, res.stdout
        plans = [h for p, h in _indexed_paths(stub) if p == "plan.md"]
        assert len(plans) == 1  # v1's index event never left
        assert superseded[0] not in stub.events
        (folder / "plan.md").write_text("# Plan v3\n")
        run_cli("sync", "bodies", "--json", cwd=project)
        states = _delivery(project)
        assert sum(1 for s, _ in states.values() if s == "superseded") == 1  # sent: untouched
        bodies = {k[2]: b for k, b in stub.bodies.items()}
        assert bodies["plan.md"]["content_body"] in ("# Plan v2, longer\n", "# Plan v3\n")


def test_toctou_a_file_changed_after_indexing_is_reindexed_never_uploaded_stale(
    project: Path, run_cli: Any, saas: SaasStub, monkeypatch: pytest.MonkeyPatch
) -> None:

    from spec_kitty_cli.dossier import _steps as steps

    folder = _mission(run_cli, project)
    real = steps.drain_events
    edits = {"n": 0}

    def drain_then_edit(*args: Any, **kw: Any) -> Any:
        report = real(*args, **kw)
        if edits["n"] == 0:  # after the index events went out, before any body is read
            (folder / "spec.md").write_text("# Spec, edited mid-sync\n")
            edits["n"] += 1
        return report

    monkeypatch.setattr(steps, "drain_events", drain_then_edit)
    res = run_cli("sync", "bodies", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    data = res.json()
    assert [t["artifact_path"] for t in data["toctou"]] == ["spec.md"]
    assert data["reindexed"] == [{"mission_slug": folder.name, "indexed": ["spec.md"]}]
    assert data["rounds"] == 2 and data["pending"] == 0 and data["dead_letter"] == 0
    spec_bodies = [b for k, b in saas.bodies.items() if k[2] == "spec.md"]
    assert [b["content_body"] for b in spec_bodies] == ["# Spec, edited mid-sync\n"]
    accepted = set(_indexed_paths(saas))
    for key, body in saas.bodies.items():  # every body matches an accepted index event
        assert (key[2], body["content_hash"]) in accepted
    assert {a[0] for a in saas.body_answers} == {201}


def test_unreadable_and_non_utf8_artifacts_are_skipped_with_the_reason(
    project: Path, run_cli: Any
) -> None:
    folder = _mission(run_cli, project)
    (folder / "plan.md").write_bytes(b"caf\xe9\n")  # required, but not UTF-8
    (folder / "research").mkdir()
    (folder / "research" / "locked.md").write_text("# secret\n")
    (folder / "research" / "locked.md").chmod(0)
    res = run_cli("sync", "bodies", "--json", cwd=project)
    (folder / "research" / "locked.md").chmod(0o644)
    assert res.exit_code == 0, res.stdout
    data = res.json()
    reasons = {s["artifact_path"]: s["reason"] for s in data["skipped"]}
    assert reasons["plan.md"] == "not_utf8"
    if os.geteuid() != 0:  # root reads any file
        assert reasons["research/locked.md"] == "unreadable"
    assert {"mission_slug": folder.name, "artifact_path": "plan.md"} in data["missing"]
    with sqlite3.connect(project / ".kittify" / "state" / "events.db") as conn:
        envelopes = [json.loads(t) for (t,) in conn.execute("SELECT envelope FROM event_journal")]
    missing = [
        e
        for e in envelopes
        if e["event_type"] == "MissionDossierArtifactMissing"
        and e["payload"]["expected_identity"]["path"] == "plan.md"
    ]
    assert "not_utf8" in missing[-1]["payload"]["remediation_hint"]
    assert validate_event(missing[-1]["payload"], missing[-1]["event_type"], strict=True).valid


def test_404_index_entry_not_found_requeues_the_index_event_once(
    project: Path, run_cli: Any, saas: SaasStub
) -> None:
    folder = _mission(run_cli, project)
    assert run_cli("sync", "now", "--events-only", "--json", cwd=project).exit_code == 0
    saas.forget_index(folder.name, "spec.md")  # the server lost the entry
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    report = res.json()["bodies"]["report"]
    assert report["requeued"] == [{"mission_slug": folder.name, "artifact_path": "spec.md"}]
    assert report["dead_letter"] == 0 and report["pending"] == 0
    spec = [(code, err) for code, err, path in saas.body_answers if path == "spec.md"]
    assert spec == [(404, "index_entry_not_found"), (201, "ok")]
    assert len([p for p, _ in _indexed_paths(saas) if p == "spec.md"]) == 2

    # Once per content: a second 404 for the same (path, hash) is retried, not re-queued.
    from spec_kitty_bodysync import BodyQueue
    from spec_kitty_cli.dossier._bodies import BodyRound, unindexed_handler
    from spec_kitty_cli.dossier._store import DossierStore

    state = project / ".kittify" / "state"
    with BodyQueue(state / "bodies.db") as queue, DossierStore(state / "dossier.db") as store:
        task = next(t for t in queue.tasks() if t.artifact_path == "spec.md")
        assert unindexed_handler(project.resolve(), store, BodyRound())(task) is False
        (folder / "plan.md").write_text("# Plan\n")
    assert run_cli("sync", "now", "--json", cwd=project).exit_code == 0
    with BodyQueue(state / "bodies.db") as queue, DossierStore(state / "dossier.db") as store:
        plan = next(t for t in queue.tasks() if t.artifact_path == "plan.md")
        handler = unindexed_handler(project.resolve(), store, BodyRound())
        assert [handler(plan), handler(plan)] == [True, False]


def test_unknown_namespace_is_a_dead_letter(
    project: Path, run_cli: Any, saas: SaasStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli.dossier import _sync

    folder = _mission(run_cli, project)
    assert run_cli("sync", "now", "--json", cwd=project).exit_code == 0
    (folder / "plan.md").write_text("# Plan\n")
    real = _sync.queue_accepted

    def then_forget(*args: Any) -> Any:
        found = real(*args)
        saas.namespaces.clear()  # the server lost the namespace after accepting the index
        return found

    monkeypatch.setattr(_sync, "queue_accepted", then_forget)
    res = run_cli("sync", "now", "--json", cwd=project)
    assert (404, "namespace_not_found", "plan.md") in saas.body_answers
    assert res.exit_code == 2 and res.json()["error_code"] == "SYNC_BODIES_REJECTED"
    failures = res.json()["details"]["bodies"]["report"]["failures"]
    assert failures[0]["state"] == "dead_letter" and "namespace_not_found" in failures[0]["reason"]


def _kill_after(point: str, root: str, url: str, token: str) -> None:
    """Child: run `sync now` and SIGKILL itself at ``point``."""
    os.environ["SPEC_KITTY_SERVER_URL"], os.environ["SPEC_KITTY_TOKEN"] = url, token
    os.chdir(root)
    from spec_kitty_cli._events import _batch
    from spec_kitty_cli.commands import sync as sync_cmd

    def die(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before-bodies":  # the index events are accepted; no body was read
        sync_cmd.drain_bodies = die  # type: ignore[assignment]
    else:  # logged in dossier.db, never queued
        _batch.publish_superseding = die  # type: ignore[assignment]
    from spec_kitty_cli.main import run

    run(["sync", "now", "--json"])


@pytest.mark.parametrize("point", ["before-bodies", "before-queue"])
def test_kill_9_then_sync_now_completes_nothing_lost_nothing_twice(
    point: str, project: Path, run_cli: Any, saas: SaasStub
) -> None:
    from spec_kitty_bodysync import collect_artifacts

    folder = _mission(run_cli, project)
    (folder / "plan.md").write_text("# Plan\n")
    if point == "before-queue":
        run_cli("sync", "now", "--json", cwd=project)
        (folder / "tasks.md").write_text("# Tasks\n")
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_kill_after, args=(point, str(project), saas.url, saas.token))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    res = run_cli("sync", "now", "--json", cwd=project)
    assert res.exit_code == 0, res.stdout
    paths = {a.artifact_path for a in collect_artifacts(folder).artifacts}
    assert {k[2] for k in saas.bodies} == paths
    assert all(code == 201 for code, _, _ in saas.body_answers)  # each body sent once
    assert all(n == 1 for n in saas.success_counts.values())
    assert saas.duplicate_counts.total() == 0 or point == "before-bodies"
    per_path: dict[str, int] = {}
    for path, _ in _indexed_paths(saas):
        per_path[path] = per_path.get(path, 0) + 1
    assert all(n == 1 for n in per_path.values())  # no fact got a second event id
    again = run_cli("sync", "now", "--json", cwd=project).json()
    assert again["dossier"]["index_events"] == 0 and again["bodies"]["report"]["enqueued"] == 0


def test_dossier_show_human_and_errors(project: Path, run_cli: Any) -> None:
    folder = _mission(run_cli, project)
    human = run_cli("dossier", "show", "--mission", folder.name, cwd=project)
    assert human.exit_code == 0
    assert "spec.md" in human.stdout and "waiting_for_index" in human.stdout
    assert "missing: plan.md" in human.stdout
    (folder / "spec.md").write_text("# edited\n")
    shown = run_cli("dossier", "show", "--mission", folder.name, "--json", cwd=project).json()
    spec = next(a for a in shown["artifacts"] if a["artifact_path"] == "spec.md")
    assert spec["modified_since_index"] is True and spec["artifact_class"] == "input"
    unknown = run_cli("dossier", "show", "--mission", "999-nope", "--json", cwd=project)
    assert unknown.exit_code == 2 and unknown.json()["error_code"] == "MISSION_NOT_FOUND"
    helped = run_cli("dossier", "show", "--help")
    assert helped.exit_code == 0 and "--mission" in helped.stdout


def test_dossier_show_before_any_index(tmp_path: Path, run_cli: Any, project: Path) -> None:
    from spec_kitty_identity import create_mission

    ref = create_mission(project, title="Bare", mission_type="software-dev", target_branch="main")
    res = run_cli("dossier", "show", "--mission", ref.slug, cwd=project)
    assert res.exit_code == 0 and "not indexed yet" in res.stdout
    data = run_cli("dossier", "show", "--mission", ref.slug, "--json", cwd=project).json()
    assert data["indexed"] is False and data["artifacts"] == []


def _dossier_line(run_cli: Any, project: Path, slug: str) -> str:
    human = run_cli("sync", "status", cwd=project)
    assert human.exit_code == 0, human.stdout + human.stderr
    return next(x for x in human.stdout.splitlines() if x.startswith(f"Dossier {slug}:"))


def test_sync_status_dossier_rows_follow_parity(
    project: Path, run_cli: Any, saas: SaasStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _mission(run_cli, project)
    slug = folder.name
    line = _dossier_line(run_cli, project, slug)  # indexed at create, nothing sent yet
    assert "missing: plan.md, tasks.md" in line and line.endswith("(unknown)")
    for name in ("plan.md", "tasks.md"):
        (folder / name).write_text(f"# {name}\n")
    assert run_cli("sync", "now", "--json", cwd=project).exit_code == 0
    [row] = run_cli("sync", "status", "--json", cwd=project).json()["dossier"]
    assert row["parity"] == "clean" and row["artifacts_missing"] == [] and row["drift"] is None
    line = _dossier_line(run_cli, project, slug)
    assert f"{row['artifacts_indexed']} indexed, missing: none" in line
    assert f"snapshot {row['snapshot_hash'][:12]} (clean)" in line
    (folder / "plan.md").unlink()
    with monkeypatch.context() as offline:  # index only: the SaaS still holds the old snapshot
        offline.delenv("SPEC_KITTY_SERVER_URL")
        assert run_cli("sync", "bodies", "--json", cwd=project).exit_code == 0
        [row] = run_cli("sync", "status", "--json", cwd=project).json()["dossier"]
        assert row["parity"] == "drifted" and row["artifacts_missing"] == ["plan.md"]
        assert row["drift"]["kind"] == "artifact_removed"
        line = _dossier_line(run_cli, project, slug)
        assert "missing: plan.md;" in line and line.endswith("(drifted, drift: artifact_removed)")
    # Synced: the SaaS holds the new snapshot in full, it is the new baseline.
    assert run_cli("sync", "now", "--json", cwd=project).exit_code == 0
    [row] = run_cli("sync", "status", "--json", cwd=project).json()["dossier"]
    assert row["parity"] == "clean" and row["artifacts_missing"] == ["plan.md"]
    assert _dossier_line(run_cli, project, slug).endswith("(clean)")


def _outbox(project: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(project / ".kittify" / "state" / "dossier.db") as conn:
        rows = conn.execute("SELECT envelope FROM dossier_outbox").fetchall()
    return {env["event_id"]: env for env in (json.loads(text) for (text,) in rows)}


def _journal(project: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(project / ".kittify" / "state" / "events.db") as conn:
        rows = conn.execute("SELECT envelope FROM event_journal").fetchall()
    return {env["event_id"]: env for env in (json.loads(text) for (text,) in rows)}


def test_one_fact_one_event_id_the_outbox_line_and_the_queued_envelope(
    project: Path, run_cli: Any
) -> None:
    folder = _mission(run_cli, project)
    logged, queued = _outbox(project), _journal(project)
    assert logged and set(logged) <= set(queued)
    for event_id, env in logged.items():
        for key in ("build_id", "node_id", "timestamp", "lamport_clock", "payload"):
            assert queued[event_id][key] == env[key], key
    clocks = sorted(e["lamport_clock"] for e in logged.values())
    assert clocks == list(range(clocks[0], clocks[0] + len(clocks)))  # one reservation
    (folder / "plan.md").write_text("# Plan\n")
    assert run_cli("sync", "bodies", "--json", cwd=project).exit_code == 0  # offline
    assert set(_outbox(project)) <= set(_journal(project))


def test_a_crash_between_log_and_queue_is_reconciled_then_superseded(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_kitty_cli._events import _batch, reconcile
    from spec_kitty_cli.dossier import index_missions

    folder = _mission(run_cli, project)
    (folder / "plan.md").write_text("# Plan v1\n")
    index_missions(project)  # the v1 index event is queued, unsent
    (folder / "plan.md").write_text("# Plan v2, longer\n")

    class Crash(Exception):
        pass

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(_batch, "publish_superseding", crash)
        with pytest.raises(Crash):
            index_missions(project)  # v2 logged in dossier.db, never queued
    lost = set(_outbox(project)) - set(_journal(project))
    assert len(lost) == 2  # plan.md v2's index event and the new snapshot
    report = reconcile(project)
    assert report.queued == 2 and set(report.queued_ids) == lost and report.refused == []
    assert report.facts["dossier"] == len(_outbox(project))
    assert reconcile(project).queued == 0  # idempotent
    states = _delivery(project)
    v1 = [e for e, env in _outbox(project).items() if e not in lost and _is_plan_index(env)]
    assert [states[e][0] for e in v1] == ["pending"]  # reconcile alone does not supersede
    runs = index_missions(project)  # the next run marks the outbox queued and supersedes v1
    assert sum(r.events for r in runs) == 0
    states = _delivery(project)
    assert states[v1[0]][0] == "superseded" and states[v1[0]][1] in lost
    assert set(_outbox(project)) <= set(_journal(project))


def _is_plan_index(env: dict[str, Any]) -> bool:
    return (
        env["event_type"] == "MissionDossierArtifactIndexed"
        and env["payload"]["artifact_id"]["path"] == "plan.md"
    )
