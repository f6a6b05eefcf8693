"""`spec-kitty sync events`: what the offline queue holds, as stored."""

from __future__ import annotations

from pathlib import Path


def test_lists_queued_events_without_creating_the_queue(run_cli, project: Path) -> None:
    empty = run_cli("sync", "events", "--json", cwd=project)
    assert empty.exit_code == 0
    assert empty.json()["events"] == []
    assert not (project / ".kittify" / "state" / "events.db").exists()

    for title in ("one", "two", "three"):
        assert run_cli("agent", "mission", "create", title, "--json", cwd=project).exit_code == 0
    build_id = run_cli("identity", "show", "--json", cwd=project).json()["build"]["id"]

    listed = run_cli("sync", "events", "--json", cwd=project).json()
    # each create: MissionCreated + 6 dossier events (3 indexed, 2 missing, 1 snapshot)
    assert listed["count"] == 21
    types = [e["event_type"] for e in listed["events"]]
    assert types.count("MissionCreated") == 3
    assert sum(t.startswith("MissionDossier") for t in types) == 18
    clocks = [e["lamport_clock"] for e in listed["events"]]
    assert sorted(clocks) == sorted(set(clocks)) and len(set(clocks)) == 21
    assert {e["build_id"] for e in listed["events"]} == {build_id}
    assert {e["state"] for e in listed["events"]} == {"pending"}
    assert "envelope" not in listed["events"][0]

    newest = run_cli("sync", "events", "--limit", "1", "--full", "--json", cwd=project).json()
    assert newest["count"] == 1
    env = newest["events"][0]["envelope"]
    assert env["payload"]["namespace"]["mission_slug"] == "003-three"
    assert env["schema_version"] == "3.0.0"

    assert (
        run_cli("sync", "events", "--state", "delivered", "--json", cwd=project).json()["count"]
        == 0
    )
    human = run_cli("sync", "events", cwd=project)
    assert (
        human.exit_code == 0 and "MissionCreated" in human.stdout and build_id[:8] in human.stdout
    )
    bad = run_cli("sync", "events", "--state", "lost", "--json", cwd=project)
    assert bad.exit_code == 2 and bad.json()["error_code"] == "USAGE_ERROR"
