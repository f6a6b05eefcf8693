"""What a delivery run tells its caller while it waits, so a person never waits in silence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Notify", "RetryNotice"]


@dataclass(frozen=True, kw_only=True)
class RetryNotice:
    """A try failed (or rows are backing off) and the run waits ``wait`` seconds before the next.

    ``queue`` is ``events`` or ``bodies``; ``attempt``/``max_attempts`` count the tries of the
    current request (None when the wait is for backed-off rows); ``reason`` never holds the
    token; ``pending`` is what still waits in that queue.
    """

    queue: str
    attempt: int | None
    max_attempts: int | None
    wait: float
    reason: str
    pending: int


Notify = Callable[[RetryNotice], None]
