"""Per-call cost of the spec-kitty gate vs the upstream spec-kitty-events 3.0.0 validator.

    uv run python benchmarks/bench_gate.py [--number N] [--repeat R] [--rounds K]

One typical WPStatusChanged envelope (for_review -> done, with evidence) is checked by
``spec_kitty_gate.check("event", ...)`` and, side by side in the same run, by upstream
``spec_kitty_events.conformance.validate_event(env, "Event")`` (lenient and strict=True) and by
upstream's payload validation of the same event type. Figures are microseconds per call: per
round the median of R timeit repeats of N calls each, then the median over the rounds, which
run interleaved. A bare Python function call is timed alongside as the machine-speed unit, so
"gate = K bare calls" and the ratios to upstream hold on a loaded or slower machine too.
Budget: the gate <= 20 us per envelope and faster than upstream.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from typing import Any

BUDGET_US = 20.0


def envelope() -> dict[str, Any]:
    return {
        "aggregate_id": "WP01",
        "aggregate_type": "WorkPackage",
        "build_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "causation_id": "01JMZZZZZZZZZZZZZZZZZZZZZZ",
        "correlation_id": "01JMYYYYYYYYYYYYYYYYYYYYYY",
        "event_id": "01JMXXXXXXXXXXXXXXXXXXXXXX",
        "event_type": "WPStatusChanged",
        "git_branch": "001-demo-mission-WP01",
        "head_commit_sha": "0123456789abcdef0123456789abcdef01234567",
        "lamport_clock": 42,
        "node_id": "a1b2c3d4e5f6",
        "payload": {
            "actor": "claude",
            "evidence": {
                "repos": [
                    {"branch": "001-demo-mission-WP01", "commit": "0123456", "repo": "acme/demo"}
                ],
                "review": {"reference": "PR-12", "reviewer": "alice", "verdict": "approved"},
                "verification": [{"command": "pytest", "result": "passed"}],
            },
            "execution_mode": "worktree",
            "force": False,
            "from_lane": "for_review",
            "mission_slug": "001-demo-mission",
            "review_ref": "PR-12",
            "to_lane": "done",
            "wp_id": "WP01",
        },
        "project_slug": "demo",
        "project_uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "repo_slug": "acme/demo",
        "schema_version": "3.0.0",
        "team_slug": "acme",
        "timestamp": "2026-01-15T10:00:00+00:00",
    }


def per_call_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def _unit() -> None:
    """The machine-speed reference: a bare Python function call."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="report the median of medians")
    args = parser.parse_args(argv)

    from spec_kitty_events.conformance import validate_event

    import spec_kitty_gate

    env = envelope()
    payload = env["payload"]
    assert spec_kitty_gate.is_conformant("event", env)
    assert validate_event(env, "Event", strict=True).valid
    assert validate_event(payload, "WPStatusChanged", strict=True).valid
    for _ in range(100):  # warm up: the first check compiles the surface
        spec_kitty_gate.check("event", env)
    slow = max(1, args.number // 10)
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("bare Python call f() (machine speed)", _unit, args.number * 20),
        ("spec_kitty_gate.check('event', env)",
         lambda: spec_kitty_gate.check("event", env), args.number),
        ("upstream validate_event(env, 'Event')", lambda: validate_event(env, "Event"), slow),
        ("upstream validate_event(env, 'Event', strict=True)",
         lambda: validate_event(env, "Event", strict=True), slow),
        ("upstream envelope + payload, strict (2 calls)",
         lambda: (validate_event(env, "Event", strict=True),
                  validate_event(payload, "WPStatusChanged", strict=True)), slow),
    ]  # fmt: skip
    medians: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(args.rounds):  # interleaved, so every ratio compares the same moments
        for name, fn, number in cases:
            medians[name].append(per_call_us(fn, number, args.repeat))
    rows = [(name, statistics.median(runs)) for name, runs in medians.items()]
    unit, ours = rows[0][1], rows[1][1]
    width = max(len(name) for name, _ in rows)
    print(f"median of {args.rounds} round medians ({args.repeat} repeats each)")
    print(f"{'validator':<{width}}  {'us/call':>9}  {'vs gate':>8}  {'f() calls':>9}")
    for name, us in rows:
        print(f"{name:<{width}}  {us:9.3f}  {us / ours:7.2f}x  {us / unit:9.0f}")
    verdict = "within" if ours <= BUDGET_US else "OVER"
    print(f"gate budget {BUDGET_US:.0f} us/envelope: {verdict} ({ours:.1f} us)")
    print(
        f"load-independent: gate = {ours / unit:.0f} bare calls, 1/{rows[3][1] / ours:.1f} of strict upstream"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
