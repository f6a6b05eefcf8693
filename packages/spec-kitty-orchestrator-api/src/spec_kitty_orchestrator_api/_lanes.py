"""The 3.0.0 lane vocabulary, its transition table and the guards that hold even under force.

The lanes themselves (and the input alias ``doing``) are spec_kitty_identity.LANES; only
canonical lanes are ever written. ``None`` as from-lane is the initial seed (only None ->
planned is legal).
"""

from __future__ import annotations

from spec_kitty_identity import LANES, canonical_lane

from .errors import TransitionRejectedError, UsageError

TERMINAL_LANES = frozenset({"done", "canceled"})

_FORWARD: dict[str | None, frozenset[str]] = {
    None: frozenset({"planned"}),
    "planned": frozenset({"claimed"}),
    "claimed": frozenset({"in_progress"}),
    "in_progress": frozenset({"for_review", "approved", "planned"}),
    "for_review": frozenset({"approved", "done", "in_progress", "planned"}),
    "approved": frozenset({"done", "in_progress", "planned"}),
    "blocked": frozenset({"in_progress"}),
}
_ROLLBACK_SOURCES = frozenset({"for_review", "approved"})
_ROLLBACK_TARGETS = frozenset({"in_progress", "planned"})


def resolve_lane(name: str) -> str:
    """The canonical lane for ``name`` (case-insensitive; ``doing`` -> in_progress)."""
    lane = canonical_lane(name)
    if lane is None:
        raise UsageError(
            f"unknown lane {name!r}; lanes are: {', '.join(LANES)}",
            details={"lane": name, "allowed": list(LANES)},
        )
    return lane


def is_allowed(from_lane: str | None, to_lane: str) -> bool:
    """True when ``from_lane -> to_lane`` is in the 3.0.0 table (force=false)."""
    if from_lane in TERMINAL_LANES or from_lane == to_lane:
        return False
    if from_lane is not None and to_lane in {"blocked", "canceled"}:
        return True
    return to_lane in _FORWARD.get(from_lane, frozenset())


def reachable(from_lane: str | None) -> list[str]:
    """The lanes ``from_lane`` may move to without force, in lane order."""
    return [lane for lane in LANES if is_allowed(from_lane, lane)]


def guards_from(from_lane: str | None) -> dict[str, str]:
    """What a reachable lane still needs, by lane (the guards that hold even under force)."""
    needs: dict[str, str] = {}
    for lane in reachable(from_lane):
        if is_rollback(from_lane, lane):
            needs[lane] = "a review reference (--review-ref)"
        if from_lane == "in_progress" and lane == "planned":
            needs[lane] = "a reason (--note)"
    return needs


def is_rollback(from_lane: str | None, to_lane: str) -> bool:
    """A reviewer rollback: for_review|approved -> in_progress|planned."""
    return from_lane in _ROLLBACK_SOURCES and to_lane in _ROLLBACK_TARGETS


def check_transition(
    *,
    wp_id: str,
    from_lane: str | None,
    to_lane: str,
    force: bool,
    actor: str | None,
    reason: str | None,
    review_ref: str | None,
) -> None:
    """Raise TransitionRejectedError unless the change is legal.

    Without force the edge must be in the table. Force skips the table but needs a non-blank
    actor and reason; the guards (review_ref on rollbacks, reason on in_progress -> planned)
    apply in both cases.
    """
    details = {"wp_id": wp_id, "from_lane": from_lane, "to_lane": to_lane, "force": force}
    if not actor or not actor.strip():
        raise TransitionRejectedError("Transitions require an actor", details=details)
    if force and (not reason or not reason.strip()):
        raise TransitionRejectedError(
            "Force transitions require actor and reason (--note)", details=details
        )
    if from_lane is not None and to_lane == from_lane:
        raise TransitionRejectedError(
            f"{wp_id} is already in {to_lane!r}", details={**details, "reason": "same_lane"}
        )
    if not force and not is_allowed(from_lane, to_lane):
        allowed = reachable(from_lane)
        needs = guards_from(from_lane)
        if allowed:
            listed = ", ".join(
                f"{lane} (needs {needs[lane]})" if lane in needs else lane for lane in allowed
            )
            where = f"from {from_lane} a work package can move to: {listed}"
        else:
            where = f"{from_lane} is terminal: no move leaves it"
        raise TransitionRejectedError(
            f"Illegal transition: {from_lane} -> {to_lane}; {where}",
            details={
                **details,
                "reachable": allowed,
                "guards": needs,
                "hint": "use --force with --note to override the table",
            },
        )
    if is_rollback(from_lane, to_lane) and (not review_ref or not review_ref.strip()):
        raise TransitionRejectedError(
            f"{from_lane} -> {to_lane} needs a review reference (--review-ref)",
            details={**details, "guard": "review_ref"},
        )
    if from_lane == "in_progress" and to_lane == "planned" and (not reason or not reason.strip()):
        raise TransitionRejectedError(
            "in_progress -> planned needs a reason (--note)", details={**details, "guard": "reason"}
        )
