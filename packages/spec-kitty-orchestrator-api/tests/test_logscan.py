"""scan_log: every problem of a status log at once, with line numbers, never raising."""

from __future__ import annotations

import json
from pathlib import Path

from spec_kitty_orchestrator_api import scan_log

LINE = {
    "actor": "a",
    "at": "2026-01-01T00:00:00+00:00",
    "build_id": "b",
    "event_id": "01J00000000000000000000000",
    "evidence": None,
    "execution_mode": "worktree",
    "force": False,
    "from_lane": None,
    "mission_id": "01J00000000000000000000001",
    "mission_slug": "001-x",
    "policy_metadata": None,
    "reason": None,
    "review_ref": None,
    "to_lane": "planned",
    "wp_id": "WP01",
}


def test_a_missing_log_is_no_problem(tmp_path: Path) -> None:
    scan = scan_log(tmp_path / "status.events.jsonl")
    assert not scan.exists and scan.problems == [] and not scan.torn_tail


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    log = tmp_path / "status.events.jsonl"
    good = json.dumps(LINE)
    log.write_bytes(
        (
            good
            + "\n\nnope\n"
            + json.dumps({**LINE, "feature_slug": "x"})
            + "\n"
            + "[" * 100
            + "]" * 100
            + "\n"
        ).encode()
        + b'{"a": "\xff"}\n'
        + b'{"torn'
    )
    scan = scan_log(log)
    assert scan.exists and scan.lines == 5 and scan.torn_tail
    assert [(p.line, p.code) for p in scan.problems] == [
        (3, "STATUS_LOG_CORRUPT"),
        (4, "LEGACY_STATE"),
        (5, "STATUS_LOG_CORRUPT"),
        (6, "STATUS_LOG_CORRUPT"),
    ]
    assert [p.details.get("reason") for p in scan.problems] == [
        "invalid_json",
        None,
        "too_deep",
        "not_utf8",
    ]


def test_a_complete_last_line_without_newline_counts(tmp_path: Path) -> None:
    log = tmp_path / "status.events.jsonl"
    log.write_text(json.dumps(LINE))
    scan = scan_log(log)
    assert scan.lines == 1 and scan.problems == [] and not scan.torn_tail


def test_an_unreadable_log_is_one_problem(tmp_path: Path) -> None:
    folder = tmp_path / "status.events.jsonl"
    folder.mkdir()
    scan = scan_log(folder)
    assert [p.code for p in scan.problems] == ["STATUS_LOG_UNREADABLE"]
