from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spec_kitty_orchestrator_api import (
    StatusLegacyError,
    StatusLogError,
    mission_state,
    transition,
)
from spec_kitty_orchestrator_api._log import read_log
from spec_kitty_orchestrator_api._reduce import reduce_events


def _event(eid: str, wp: str, frm: str | None, to: str, at: str, **kw: object) -> dict:
    return {
        "event_id": eid,
        "mission_slug": "m",
        "wp_id": wp,
        "from_lane": frm,
        "to_lane": to,
        "at": at,
        "actor": "a",
        "force": False,
        "execution_mode": "worktree",
        "reason": None,
        "review_ref": kw.get("review_ref"),
        "evidence": None,
        "policy_metadata": None,
    }


def test_torn_last_line_is_reported_then_set_aside_by_the_next_write(env: Any) -> None:
    host = env.host()
    transition(host, env.slug, "WP01", "blocked", "ops", note="waiting")
    log = env.mission_dir / "status.events.jsonl"
    good = log.read_bytes()
    log.write_bytes(
        good + b'{"event_id": "01J',
    )
    state = mission_state(host, env.slug)
    assert state["work_packages"][0]["lane"] == "blocked"
    assert "incomplete" in state["warnings"][0]
    # every later call keeps working; the next change repairs the log
    transition(host, env.slug, "WP01", "in_progress", "ops", policy=None, policy_required=False)
    lines = log.read_text().splitlines()
    assert [json.loads(x)["to_lane"] for x in lines] == ["blocked", "in_progress"]
    aside = (env.mission_dir / "status.events.jsonl.torn").read_text()
    assert '{"event_id": "01J' in aside
    assert "warnings" not in mission_state(host, env.slug)


def test_complete_last_line_without_newline_is_kept(env: Any) -> None:
    host = env.host()
    transition(host, env.slug, "WP01", "blocked", "ops")
    log = env.mission_dir / "status.events.jsonl"
    log.write_bytes(log.read_bytes().rstrip(b"\n"))
    assert read_log(log).torn_tail is None
    transition(host, env.slug, "WP01", "canceled", "ops")
    assert len(log.read_text().splitlines()) == 2


def test_corrupt_middle_line_and_legacy_keys_are_errors(tmp_path: Path) -> None:
    log = tmp_path / "status.events.jsonl"
    ok = json.dumps(_event("E1", "WP01", None, "planned", "2026-01-01T00:00:00+00:00"))
    log.write_text("not json\n" + ok + "\n")
    with pytest.raises(StatusLogError) as err:
        read_log(log)
    assert err.value.details["line"] == 1
    legacy = {**json.loads(ok), "feature_slug": "001-x"}
    log.write_text(json.dumps(legacy) + "\n")
    with pytest.raises(StatusLegacyError) as legacy_err:
        read_log(log)
    assert legacy_err.value.details["key"] == "feature_slug"
    assert legacy_err.value.details["hint"] == "spec-kitty upgrade"
    for bad in (
        [1],
        {**json.loads(ok), "to_lane": "doing"},
        {**json.loads(ok), "force": "no"},
        {**json.loads(ok), "actor": ""},
        {
            "event_id": "E",
            "kind": "annotation",
            "wp_id": "WP01",
            "at": "t",
            "actor": "a",
            "delta": "x",
        },
    ):
        log.write_text(json.dumps(bad) + "\n")
        with pytest.raises(StatusLogError):
            read_log(log)


LANES_SEQ = [
    (None, "planned"),
    ("planned", "claimed"),
    ("claimed", "in_progress"),
    ("in_progress", "for_review"),
    ("for_review", "done"),
]


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=3))
def test_reducer_ignores_line_order_and_duplicates(rnd: random.Random, dups: int) -> None:
    events = [
        _event(f"E{wp}{i}", f"WP0{wp}", frm, to, f"2026-01-01T00:00:0{i}+00:00")
        for wp in (1, 2)
        for i, (frm, to) in enumerate(LANES_SEQ[: 3 + wp])
    ]
    expected = reduce_events(events)
    shuffled = events + [rnd.choice(events) for _ in range(dups)]
    rnd.shuffle(shuffled)
    assert reduce_events(shuffled) == expected
    assert expected.lane("WP01") == "for_review" and expected.lane("WP02") == "done"
    assert expected.lane("WP09") == "planned"
    assert expected.event_count == len(events)


def test_rollback_wins_a_tie() -> None:
    at = "2026-01-01T00:00:00+00:00"
    forward = _event("ZZZ", "WP01", "for_review", "done", at)
    rollback = _event("AAA", "WP01", "for_review", "in_progress", at, review_ref="r")
    assert reduce_events([forward, rollback]).lane("WP01") == "in_progress"
    assert reduce_events([rollback, forward]).lane("WP01") == "in_progress"
