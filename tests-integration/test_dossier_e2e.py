"""The dossier pipeline end to end: the installed `spec-kitty`, a real git project, the strict
loopback SaaS (a body is accepted only for an ACCEPTED index entry of the same mission_slug, path
and content hash; an unknown namespace is 404).

create a mission; write spec.md, plan.md, tasks.md and two WP files; `sync now`: every body
delivered, no dead letter, every dossier event strictly valid (spec-kitty-events 3.0.0). Edit
spec.md: exactly one new index event and one new body. Edit nothing: nothing sent. Delete
plan.md: an ArtifactMissing event and a drift event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acceptance_support import Cli, RecordingStub, cli_env, commit_all, make_repo, write_wps
from spec_kitty_events.conformance import validate_event

from spec_kitty_bodysync import collect_artifacts

INDEXED = "MissionDossierArtifactIndexed"


def _dossier_events(stub: RecordingStub) -> list[dict[str, Any]]:
    return [e for e in stub.events.values() if e["event_type"].startswith("MissionDossier")]


def _strictly_valid(env: dict[str, Any]) -> None:
    assert validate_event(env, "Event", strict=True).valid, env
    result = validate_event(env["payload"], env["event_type"], strict=True)
    assert result.valid, (env["event_type"], result)
    assert env["aggregate_type"] == "MissionDossier"


def _new(stub: RecordingStub, seen: set[str]) -> list[dict[str, Any]]:
    fresh = [e for e in stub.events.values() if e["event_id"] not in seen]
    seen.update(e["event_id"] for e in fresh)
    return fresh


def test_dossier_end_to_end_against_the_strict_stand_in(
    tmp_path: Path, isolated_home: Path
) -> None:
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        root = make_repo(tmp_path / "project")
        cli.json(root, "init", "--json")
        commit_all(root, "spec-kitty init")
        created = cli.json(root, "agent", "mission", "create", "Checkout flow", "--json")
        slug, folder = created["mission_slug"], Path(created["mission_dir"])
        for name, text in {
            "spec.md": "# Spec\n\nPay in one step.\n",
            "plan.md": "# Plan\n\nCart, then payment.\n",
            "tasks.md": "# Tasks\n\n- WP01\n- WP02\n",
        }.items():
            (folder / name).write_text(text, encoding="utf-8")
        write_wps(root, slug, {"WP01": ("Cart model", []), "WP02": ("Payment step", ["WP01"])})

        first = cli.json(root, "sync", "now", "--json")
        artifacts = {a.artifact_path for a in collect_artifacts(folder).artifacts}
        assert artifacts >= {"spec.md", "plan.md", "tasks.md", "meta.json"}
        report = first["bodies"]["report"]
        assert report["dead_letter"] == 0 and report["pending"] == 0, report
        delivered = {k[2] for k in stub.bodies}
        assert delivered == artifacts  # every body, the WP files included
        assert sum(p.startswith("tasks/WP0") for p in delivered) == 2
        assert {a[0] for a in stub.body_answers} == {201}  # none refused, none sent twice
        assert stub.invalid == []
        dossier = _dossier_events(stub)
        assert dossier
        for env in dossier:
            _strictly_valid(env)
        status = cli.json(root, "sync", "status", "--json")
        [summary] = status["dossier"]
        assert summary["parity"] == "clean" and summary["artifacts_missing"] == []
        assert summary["artifacts_indexed"] == len(artifacts)
        seen = {e["event_id"] for e in stub.events.values()}
        bodies_before = len(stub.body_answers)

        # Edit spec.md: one new index event, one new body.
        (folder / "spec.md").write_text("# Spec\n\nPay in one step, or two.\n", encoding="utf-8")
        cli.json(root, "sync", "now", "--json")
        fresh = _new(stub, seen)
        indexed = [e for e in fresh if e["event_type"] == INDEXED]
        assert [e["payload"]["artifact_id"]["path"] for e in indexed] == ["spec.md"]
        new_bodies = stub.body_answers[bodies_before:]
        assert [(code, path) for code, _, path in new_bodies] == [(201, "spec.md")]
        edited = [b for k, b in stub.bodies.items() if k[2] == "spec.md"][-1]
        assert edited["content_body"].endswith("or two.\n")
        assert indexed[0]["payload"]["content_ref"]["hash"] == edited["content_hash"]
        for env in fresh:
            _strictly_valid(env)
        bodies_before = len(stub.body_answers)
        requests_before = len(stub.requests)

        # Edit nothing: nothing is sent.
        again = cli.json(root, "sync", "now", "--json")
        assert _new(stub, seen) == []
        assert len(stub.body_answers) == bodies_before
        assert again["dossier"]["index_events"] == 0
        assert len(stub.requests) == requests_before  # not even an empty batch

        # Delete plan.md: ArtifactMissing and a drift event.
        (folder / "plan.md").unlink()
        gone = cli.json(root, "sync", "now", "--json")
        fresh = _new(stub, seen)
        kinds = sorted(e["event_type"] for e in fresh)
        assert kinds == [
            "MissionDossierArtifactMissing",
            "MissionDossierParityDriftDetected",
            "MissionDossierSnapshotComputed",
        ]
        for env in fresh:
            _strictly_valid(env)
        missing = next(e for e in fresh if e["event_type"] == "MissionDossierArtifactMissing")
        assert missing["payload"]["expected_identity"]["path"] == "plan.md"
        drift = next(e for e in fresh if e["event_type"] == "MissionDossierParityDriftDetected")
        assert drift["payload"]["drift_kind"] == "artifact_removed"
        assert drift["payload"]["expected_hash"] != drift["payload"]["actual_hash"]
        assert gone["bodies"]["report"]["dead_letter"] == 0
        shown = cli.json(root, "dossier", "show", "--mission", slug, "--json")
        assert shown["missing"][0]["artifact_path"] == "plan.md"
        assert {a["body_state"] for a in shown["artifacts"]} == {"delivered"}
        assert {a["index_state"] for a in shown["artifacts"]} == {"accepted"}
    assert all(n == 1 for n in stub.success_counts.values())
