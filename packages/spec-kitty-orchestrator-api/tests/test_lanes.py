from __future__ import annotations

import itertools

import pytest

from spec_kitty_identity import LANES
from spec_kitty_orchestrator_api import TransitionRejectedError, UsageError
from spec_kitty_orchestrator_api._lanes import check_transition, is_allowed, resolve_lane

# The 3.0.0 table (upstream-contracts §2.4), written out edge by edge.
ALLOWED = {
    (None, "planned"),
    ("planned", "claimed"),
    ("claimed", "in_progress"),
    ("in_progress", "for_review"),
    ("in_progress", "approved"),
    ("for_review", "approved"),
    ("for_review", "done"),
    ("approved", "done"),
    ("for_review", "in_progress"),
    ("for_review", "planned"),
    ("approved", "in_progress"),
    ("approved", "planned"),
    ("in_progress", "planned"),
    ("blocked", "in_progress"),
} | {
    (lane, target)
    for lane in ("planned", "claimed", "in_progress", "for_review", "approved", "blocked")
    for target in ("blocked", "canceled")
    if lane != target
}


def _check(frm: str | None, to: str, **kw: object) -> None:
    args = {
        "wp_id": "WP01",
        "from_lane": frm,
        "to_lane": to,
        "force": False,
        "actor": "a",
        "reason": "why",
        "review_ref": "rev-1",
    }
    args.update(kw)
    check_transition(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(("frm", "to"), list(itertools.product([None, *LANES], LANES)))
def test_table_matches_3_0_0_exactly(frm: str | None, to: str) -> None:
    assert is_allowed(frm, to) is ((frm, to) in ALLOWED)
    if frm == to:
        return
    if (frm, to) in ALLOWED:
        _check(frm, to)
    else:
        with pytest.raises(TransitionRejectedError, match="Illegal transition"):
            _check(frm, to)


def test_no_in_review_lane_and_doing_alias() -> None:
    assert "in_review" not in LANES
    assert resolve_lane(" Doing ") == "in_progress"
    assert resolve_lane("FOR_REVIEW") == "for_review"
    with pytest.raises(UsageError) as err:
        resolve_lane("in_review")
    assert err.value.details["allowed"] == list(LANES)


def test_terminal_lanes_need_force_and_force_needs_reason() -> None:
    with pytest.raises(TransitionRejectedError):
        _check("done", "in_progress")
    _check("done", "in_progress", force=True, reason="reopen")
    with pytest.raises(TransitionRejectedError, match="actor and reason"):
        _check("done", "in_progress", force=True, reason=" ")
    with pytest.raises(TransitionRejectedError, match="actor"):
        _check("planned", "claimed", actor="")


def test_guards_hold_even_with_force() -> None:
    with pytest.raises(TransitionRejectedError, match="review reference"):
        _check("for_review", "in_progress", review_ref=None)
    with pytest.raises(TransitionRejectedError, match="review reference"):
        _check("approved", "planned", review_ref="", force=True)
    with pytest.raises(TransitionRejectedError, match="reason"):
        _check("in_progress", "planned", reason=None)
    # force skips the matrix, but not the rules above
    _check("planned", "done", force=True)


def test_same_lane_is_rejected() -> None:
    with pytest.raises(TransitionRejectedError, match="already"):
        _check("in_progress", "in_progress", force=True)
