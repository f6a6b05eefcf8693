"""Every payload the status model emits validates against spec-kitty-events 3.0.0 (strict)."""

from __future__ import annotations

from typing import Any

from spec_kitty_events.conformance import validate_event

from spec_kitty_orchestrator_api import (
    accept_mission,
    append_history,
    finalize,
    start_implementation,
    start_review,
    transition,
)

ACTOR = "spec-kitty-orchestrator"


def test_whole_lifecycle_emits_conformant_payloads(env: Any, policy_json: str) -> None:
    host = env.host()
    finalize(host, env.slug)
    for wp in ("WP01", "WP02", "WP03"):
        start_implementation(host, env.slug, wp, ACTOR, policy_json)
        transition(host, env.slug, wp, "for_review", ACTOR, policy=policy_json)
        if wp == "WP02":
            start_review(host, env.slug, wp, ACTOR, policy_json, "feedback-1")
            transition(host, env.slug, wp, "blocked", ACTOR, note="waiting on infra")
            transition(host, env.slug, wp, "in_progress", ACTOR, policy=policy_json)
            transition(host, env.slug, wp, "for_review", ACTOR, policy=policy_json)
            transition(host, env.slug, wp, "approved", ACTOR, policy=policy_json, review_ref="r")
        transition(host, env.slug, wp, "done", ACTOR, policy=policy_json, review_ref="r")
        append_history(host, env.slug, wp, ACTOR, "finished")
    transition(
        host, env.slug, "WP01", "in_progress", ACTOR, force=True, note="reopen", policy=policy_json
    )
    transition(host, env.slug, "WP01", "done", ACTOR, force=True, note="close again")
    accept_mission(host, env.slug, ACTOR)
    seen = set()
    for event_type, _, _, payload in env.sink.events:
        seen.add(event_type)
        if event_type == "WPCreated":  # a SaaS wire-layer type, unknown to the 3.0.0 library
            assert set(payload) == {"wp_id", "title", "mission_slug", "dependencies"}
            continue
        result = validate_event(payload, event_type, strict=True)
        assert result.valid, (event_type, payload, result)
    assert seen == {"WPCreated", "WPStatusChanged", "MissionClosed"}
    lanes = {p["to_lane"] for t, _, _, p in env.sink.events if t == "WPStatusChanged"}
    assert lanes == {
        "planned",
        "claimed",
        "in_progress",
        "for_review",
        "approved",
        "done",
        "blocked",
    }
