"""drain(): deliver due bodies from a BodyQueue through a transport, one row at a time.

For each due row: verify the hash, pass the payload through the contract gate
(``spec_kitty_gate.check("body_upload", payload)``; a refusal parks the row with the violation
and the drain goes on), send it, then record the outcome in its own transaction. A crash between
send and mark leaves the row pending: the next drain sends it again and the server's idempotent
200 (already present) marks it delivered. Nothing is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ._namespace import content_hash
from ._queue import BodyQueue
from ._task import BodyUploadTask
from ._transport import Transport, UploadOutcome
from .delivery import Backoff, Notify, RetryNotice

__all__ = ["DrainFailure", "DrainReport", "drain"]

StopReason = Literal["drained", "waiting", "held", "deadline", "unreachable"]
_MAX_FAILURES_LISTED = 50


@dataclass(frozen=True, kw_only=True)
class DrainFailure:
    """A row this drain dead-lettered or parked, and why."""

    row_id: int
    mission_slug: str
    artifact_path: str
    state: Literal["dead_letter", "parked"]
    reason: str


@dataclass(frozen=True, kw_only=True)
class DrainReport:
    """What one drain did. ``stopped`` says why it ended:

    drained      nothing is pending any more
    waiting      rows are pending but none is due before the deadline (backing off)
    held         every row still pending is held back by ``ready`` (its index event is not
                 accepted yet) or by ``on_unindexed``
    deadline     the time budget ran out with rows still due
    unreachable  the server gave no HTTP answer several times in a row
    """

    attempted: int
    delivered: int
    stored: int
    already_present: int
    retried: int
    held: int
    dead_letter: int
    parked: int
    pending: int
    stopped: StopReason
    next_attempt_at: float | None
    failures: tuple[DrainFailure, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failures"] = [asdict(f) for f in self.failures]
        return data


class _Tally:
    def __init__(self) -> None:
        self.attempted = self.stored = self.already = self.retried = 0
        self.held: set[int] = set()
        self.dead = self.parked = 0
        self.failures: list[DrainFailure] = []
        self.last_reason: str | None = None

    def fail(
        self, task: BodyUploadTask, state: Literal["dead_letter", "parked"], reason: str
    ) -> None:
        if state == "dead_letter":
            self.dead += 1
        else:
            self.parked += 1
        if len(self.failures) < _MAX_FAILURES_LISTED and task.row_id is not None:
            self.failures.append(
                DrainFailure(
                    row_id=task.row_id,
                    mission_slug=task.mission_slug,
                    artifact_path=task.artifact_path,
                    state=state,
                    reason=reason,
                )
            )


def _gate_reason(payload: dict[str, Any], task: BodyUploadTask) -> str | None:
    """Why the payload must not be sent (None = send it)."""
    from spec_kitty_gate import ContractViolation, check

    if content_hash(task.content_body) != task.content_hash:
        return "BODY_CONTENT_HASH_MISMATCH: content_hash is not the sha256 of content_body"
    try:
        check("body_upload", payload)
    except ContractViolation as violation:
        return f"{violation.code}: {violation.message}"
    return None


def drain(
    queue: BodyQueue,
    transport: Transport,
    *,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    backoff: Backoff | None = None,
    max_attempts: int = 10,
    deadline: float | None = None,
    batch_size: int = 100,
    unreachable_limit: int = 3,
    on_progress: Callable[[int, int], None] | None = None,
    notify: Notify | None = None,
    ready: Callable[[BodyUploadTask], bool] | None = None,
    on_unindexed: Callable[[BodyUploadTask], bool] | None = None,
) -> DrainReport:
    """Deliver every due body; wait for backed-off rows only while they fall before ``deadline``.

    ``deadline`` is an absolute time on the ``now`` clock (None: do not wait for backed-off rows
    and never stop early). A row whose HTTP failures reach ``max_attempts`` is dead-lettered with
    its last error; failures without an HTTP answer do not count towards that, they only back
    off. ``on_progress(done, total)`` is called after each row reaches a final state;
    ``notify(RetryNotice)`` before the drain sleeps for backed-off rows.
    Raises ``UploadAuthError`` (401) without touching the row being sent.

    ``ready(task)`` False holds a row back untouched (still pending, no attempt counted): the
    SaaS has not accepted its index event yet. On 404 ``index_entry_not_found``,
    ``on_unindexed(task)`` True means the caller re-queued the index event: the row is held the
    same way; False (or no callback) retries it with backoff like a transient failure.
    """
    policy = backoff or Backoff()
    tally = _Tally()
    total = queue.counts()["pending"]
    done = 0
    unreachable_run = 0
    stopped: StopReason = "drained"

    def progressed() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    while True:
        batch = queue.due(batch_size, now(), exclude=tally.held)
        if not batch:
            next_at = queue.next_due_at(exclude=tally.held)
            if next_at is None:
                stopped = "held" if tally.held else "drained"
                break
            if deadline is None or next_at > deadline:
                stopped = "waiting"
                break
            wait = max(0.0, next_at - now())
            if notify is not None:
                reason = tally.last_reason or "backing off"
                pending = queue.counts()["pending"]
                notify(
                    RetryNotice(
                        queue="bodies",
                        attempt=None,
                        max_attempts=None,
                        wait=wait,
                        reason=reason,
                        pending=pending,
                    )
                )
            sleep(wait)
            continue
        for task in batch:
            if deadline is not None and now() >= deadline:
                stopped = "deadline"
                break
            assert task.row_id is not None
            if ready is not None and not ready(task):
                tally.held.add(task.row_id)
                continue
            payload = task.upload_payload()
            refusal = _gate_reason(payload, task)
            if refusal is not None:
                queue.mark_parked(task.row_id, reason=refusal)
                tally.fail(task, "parked", refusal)
                progressed()
                continue
            tally.attempted += 1
            outcome = transport.send(payload)
            unreachable_run = unreachable_run + 1 if outcome.unreachable else 0
            if outcome.kind == "unindexed":
                if on_unindexed is not None and on_unindexed(task):
                    tally.held.add(task.row_id)
                    continue
                outcome = UploadOutcome.retry(reason=outcome.reason, status_code=404)
            if _record(queue, task, outcome, tally, policy, max_attempts, now()):
                progressed()
            if unreachable_run >= unreachable_limit:
                stopped = "unreachable"
                break
        else:
            continue
        break

    return DrainReport(
        attempted=tally.attempted,
        delivered=tally.stored + tally.already,
        stored=tally.stored,
        already_present=tally.already,
        retried=tally.retried,
        held=len(tally.held),
        dead_letter=tally.dead,
        parked=tally.parked,
        pending=queue.counts()["pending"],
        stopped=stopped,
        next_attempt_at=queue.next_due_at(exclude=tally.held),
        failures=tuple(tally.failures),
    )


def _record(
    queue: BodyQueue,
    task: BodyUploadTask,
    outcome: UploadOutcome,
    tally: _Tally,
    policy: Backoff,
    max_attempts: int,
    stamp: float,
) -> bool:
    """Store one outcome; True when the row reached a final state."""
    assert task.row_id is not None
    if outcome.kind == "delivered":
        queue.mark_delivered(task.row_id, now=stamp)
        if outcome.status_code == 201:
            tally.stored += 1
        else:
            tally.already += 1
        return True
    if outcome.kind == "dead_letter":
        queue.mark_dead_letter(task.row_id, reason=outcome.reason)
        tally.fail(task, "dead_letter", outcome.reason)
        return True
    if not outcome.unreachable and task.retry_count + 1 >= max_attempts:
        reason = f"gave up after {task.retry_count + 1} attempts; last: {outcome.reason}"
        queue.mark_dead_letter(task.row_id, reason=reason)
        tally.fail(task, "dead_letter", reason)
        return True
    delay = policy.wait(task.retry_count, outcome.retry_after)
    queue.mark_retry(task.row_id, error=outcome.reason, next_attempt_at=stamp + delay)
    tally.retried += 1
    tally.last_reason = outcome.reason
    return False
