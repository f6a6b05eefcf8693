"""Cutover acceptance 2: two `git worktree`s of one repository are told apart by the server.

Each checkout creates and finalizes a mission and syncs. The events the server received,
grouped by build_id, form exactly two groups: each group's build_id is the one `identity show`
reports in that checkout (stable across runs), each group holds exactly that checkout's events,
and both share the project's uuid. Nothing under .kittify/ becomes tracked or dirty.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from acceptance_support import Cli, RecordingStub, cli_env, commit_all, git, make_repo, write_wps
from saas_stub import contract_problems


def _setup(tmp_path: Path, cli: Cli) -> tuple[Path, Path]:
    main = make_repo(tmp_path / "repo")
    cli.json(main, "init", "--json")
    commit_all(main, "spec-kitty init")
    side = tmp_path / "wt-side"
    git(main, "worktree", "add", "-q", "-b", "side", str(side))
    return main, side


def _groups(stub: RecordingStub) -> dict[str, list[dict[str, Any]]]:
    assert stub.invalid == []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for env in stub.events.values():
        assert contract_problems(env) == [], env
        groups[env["build_id"]].append(env)
    return groups


def test_two_worktrees_emit_distinct_build_ids(tmp_path: Path, isolated_home: Path) -> None:
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        main, side = _setup(tmp_path, cli)
        ids: dict[Path, dict[str, Any]] = {}
        missions: dict[Path, set[str]] = defaultdict(set)
        for checkout, title in ((main, "Main work"), (side, "Side work")):
            for n in (1, 2):
                created = cli.json(checkout, "agent", "mission", "create", f"{title} {n}", "--json")
                missions[checkout].add(created["mission_id"])
            synced = cli.json(checkout, "sync", "now", "--events-only", "--json")
            # per mission: MissionCreated + 6 dossier events (3 indexed, 2 missing, 1 snapshot);
            # each checkout keeps its own dossier, so the side worktree also indexes (under its
            # own build_id) the two missions the main checkout created before
            expected = 14 if checkout == main else 14 + 12
            assert synced["events"]["delivered"] == expected, synced
            ids[checkout] = cli.json(checkout, "identity", "show", "--json")
        for checkout, before in ids.items():  # stable for one checkout across runs
            assert cli.json(checkout, "identity", "show", "--json") == before

    groups = _groups(stub)
    assert len(stub.events) == 40 and len(groups) == 2
    assert {ident["build"]["id"] for ident in ids.values()} == set(groups)
    for checkout, ident in ids.items():
        group = groups[ident["build"]["id"]]
        created = {e["aggregate_id"] for e in group if e["event_type"] == "MissionCreated"}
        assert created == missions[checkout]
        assert {e["project_uuid"] for e in group} == {ident["project"]["uuid"]}
        assert {e["node_id"] for e in group} == {ident["node"]["id"]}
    assert ids[main]["project"] == ids[side]["project"]
    assert ids[main]["build"]["id"] != ids[side]["build"]["id"]
    for checkout in ids:
        assert git(checkout, "status", "--porcelain", "--", ".kittify") == ""
        assert git(checkout, "ls-files", ".kittify/state") == ""


def test_wp_events_from_a_worktree_carry_its_build_id(tmp_path: Path, isolated_home: Path) -> None:
    with RecordingStub() as stub:
        cli = Cli(cli_env(isolated_home, stub))
        main, side = _setup(tmp_path, cli)
        slug = cli.json(main, "agent", "mission", "create", "Shared work", "--json")["mission_slug"]
        write_wps(main, slug, {"WP01": ("Shared part", [])})
        commit_all(main, "one work package")
        cli.json(main, "agent", "tasks", "finalize", "--mission", slug, "--json")
        # An agent in the side worktree claims the work package.
        moved = cli.json(
            side,
            "agent",
            "tasks",
            "move",
            "WP01",
            "--to",
            "claimed",
            "--mission",
            slug,
            "--actor",
            "side-agent",
            "--json",
        )
        assert moved["result"] == "success", moved
        for checkout in (main, side):
            cli.json(checkout, "sync", "now", "--events-only", "--json")
        side_build = cli.json(side, "identity", "show", "--json")["build"]["id"]

    claimed = [
        e
        for e in stub.events.values()
        if e["event_type"] == "WPStatusChanged" and e["payload"]["to_lane"] == "claimed"
    ]
    assert len(claimed) == 1
    assert claimed[0]["build_id"] == side_build


def test_a_mission_created_in_a_worktree_can_be_finalized_there(
    tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(cli_env(isolated_home))
    main, side = _setup(tmp_path, cli)
    created = cli.json(side, "agent", "mission", "create", "Side work", "--json")
    slug = created["mission_slug"]
    # Mission state is the main repository's: every checkout of the clone sees the same missions.
    assert Path(created["mission_dir"]) == main / "kitty-specs" / slug
    for checkout in (main, side):
        listed = cli.json(checkout, "mission", "list", "--json")["missions"]
        assert [m["mission_slug"] for m in listed] == [slug]
    write_wps(main, slug, {"WP01": ("Side part", [])})
    finalized = cli.json(side, "agent", "tasks", "finalize", "--mission", slug, "--json")
    assert finalized["seeded"] == ["WP01"]
    assert cli.json(side, "status", "--mission", slug, "--json")["result"] == "success"
    # ... while the events belong to the checkout that caused them.
    side_build = cli.json(side, "identity", "show", "--json")["build"]["id"]
    side_events = cli.json(side, "sync", "events", "--json")["events"]
    assert [e["event_type"] for e in side_events if "Dossier" not in e["event_type"]] == [
        "MissionCreated",
        "WPCreated",
        "WPStatusChanged",
    ]
    dossier = [e for e in side_events if "Dossier" in e["event_type"]]
    assert len(dossier) == 8  # create: 3 indexed, 2 missing, snapshot; finalize: WP01, snapshot
    assert finalized["dossier"]["indexed"] == ["tasks/WP01-side.md"]
    assert {e["build_id"] for e in side_events} == {side_build}
    assert cli.json(main, "sync", "events", "--json")["events"] == []
