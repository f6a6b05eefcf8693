"""One fact, one event id: stamped lines, event lines, record_events, iter_stamped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_orchestrator_api import (
    Host,
    SinkEvent,
    StatusLogError,
    finalize,
    iter_stamped,
    record_events,
    transition,
)
from spec_kitty_orchestrator_api._log import read_log


def _lines(env: Any) -> list[dict[str, Any]]:
    return env.events()


def test_every_published_event_is_the_stamp_of_its_line(env: Any, policy_json: str) -> None:
    host = env.host()
    finalize(host, env.slug)
    transition(host, env.slug, "WP01", "claimed", "orch", policy=policy_json)
    project = host.project()
    lines = [r for r in _lines(env) if r.get("kind") != "annotation"]
    assert [e.event_id for e in env.sink.stamped] == [r["event_id"] for r in lines]
    for line, event in zip(lines, env.sink.stamped, strict=True):
        assert (event.build_id, event.node_id, event.at) == (
            line["build_id"],
            line["node_id"],
            line["at"],
        )
        assert line["node_id"] == project.node_id and line["build_id"] == project.build_id
    kinds = [r.get("kind", "transition") for r in lines]
    assert kinds == ["event"] * 3 + ["transition"] * 4  # WPCreated x3, seeds x3, the claim
    stamps = [r["at"] for r in lines]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert list(iter_stamped(env.mission_dir / "status.events.jsonl")) == env.sink.stamped


def test_record_events_writes_event_lines_then_publishes_them(env: Any) -> None:
    event = SinkEvent(
        event_type="MissionDossierSnapshotComputed",
        aggregate_type="MissionDossier",
        aggregate_id="m:snapshot",
        payload={"parity_hash": "x"},
    )
    ids = record_events(env.host(), env.slug, [event, event])
    lines = _lines(env)
    assert [r["event_id"] for r in lines] == ids and len(set(ids)) == 2
    assert all(r["kind"] == "event" and r["payload"] == {"parity_hash": "x"} for r in lines)
    assert [e.event_id for e in env.sink.stamped] == ids
    assert not (env.mission_dir / "status.json").exists()  # no lane moved: nothing to reduce
    log = read_log(env.mission_dir / "status.events.jsonl")
    assert len(log.events) == 2 and not log.transitions and not log.annotations


def test_a_refusing_sink_leaves_the_log_untouched(env: Any) -> None:
    env.sink.refuse = True
    with pytest.raises(RuntimeError):
        finalize(env.host(), env.slug)
    assert _lines(env) == []


def test_iter_stamped_filters_builds_and_skips_old_lines_notes_and_a_torn_tail(
    env: Any, policy_json: str
) -> None:
    host = env.host()
    finalize(host, env.slug)
    log = env.mission_dir / "status.events.jsonl"
    seed = next(r for r in _lines(env) if "kind" not in r)
    old = {k: v for k, v in seed.items() if k != "node_id"} | {"event_id": "01OLD"}
    other = {**seed, "event_id": "01OTHER", "build_id": "other-build"}
    note = {
        "event_id": "01NOTE",
        "kind": "annotation",
        "wp_id": "WP01",
        "at": seed["at"],
        "actor": "a",
        "build_id": seed["build_id"],
        "node_id": seed["node_id"],
        "delta": {"note": "n"},
    }
    with log.open("a") as handle:
        for record in (old, other, note):
            handle.write(json.dumps(record) + "\n")
        handle.write("\n")
        handle.write('{"event_id": "01TORN", "node_id": "x", "build_id": ')
    mine = [e.event_id for e in iter_stamped(log, build_id=host.build_id())]
    assert len(mine) == 6 and "01OLD" not in mine and "01OTHER" not in mine
    everyone = [e.event_id for e in iter_stamped(log)]
    assert everyone == [*mine, "01OTHER"]
    assert list(iter_stamped(log.with_name("absent.jsonl"))) == []


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ({"kind": "event", "event_id": "e", "node_id": "n", "extra": 1}, "extra"),
        ({"kind": "event", "event_id": "", "node_id": "n", "event_type": "X"}, "event_id"),
        (
            {
                "kind": "event",
                "event_id": "e",
                "event_type": "X",
                "aggregate_type": "Mission",
                "aggregate_id": "m",
                "at": "2026-01-01T00:00:00+00:00",
                "build_id": "b",
                "node_id": "n",
                "payload": [],
            },
            "payload",
        ),
    ],
)
def test_a_malformed_event_line_names_file_line_and_key(
    tmp_path: Path, line: dict[str, Any], key: str
) -> None:
    log = tmp_path / "status.events.jsonl"
    log.write_text(json.dumps(line) + "\n")
    with pytest.raises(StatusLogError) as info:
        read_log(log)
    assert info.value.details["key"] == key and info.value.details["line"] == 1
    with pytest.raises(StatusLogError):
        list(iter_stamped(log))


def test_a_transition_with_an_empty_node_id_is_refused(env: Any) -> None:
    finalize(env.host(), env.slug)
    log = env.mission_dir / "status.events.jsonl"
    seed = next(r for r in _lines(env) if "kind" not in r)
    log.write_text(json.dumps({**seed, "node_id": ""}) + "\n")
    with pytest.raises(StatusLogError) as info:
        read_log(log)
    assert info.value.details["key"] == "node_id"


def test_iter_stamped_names_a_broken_line(tmp_path: Path) -> None:
    log = tmp_path / "status.events.jsonl"
    log.write_bytes(b'{"node_id": "n", not json}\n')
    with pytest.raises(StatusLogError) as info:
        list(iter_stamped(log))
    assert info.value.details["line"] == 1
    log.write_bytes(b'{"node_id": "\xff"}\n')
    with pytest.raises(StatusLogError):
        list(iter_stamped(log))


def test_host_origin_is_the_checkout_build_and_node(env: Any) -> None:
    host = Host(env.root, sink=env.sink)
    assert host.origin() == (host.project().build_id, host.project().node_id)
