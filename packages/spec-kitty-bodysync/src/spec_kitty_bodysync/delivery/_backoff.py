"""The one backoff policy of spec-kitty's delivery: when to try a failed request again.

Events (retried within one run) and bodies (retried across runs, per row) use the same formula:
``ceiling = min(cap, base * factor**n)`` for the n-th retry (n = failures so far, from 0), and
a delay drawn from ``[ceiling * (1 - jitter), ceiling]``. A ``Retry-After`` the server sent
(seconds or an HTTP date, at most one hour) raises the delay to at least that value.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["MAX_RETRY_AFTER", "TRANSIENT_STATUS", "Backoff", "parse_retry_after"]

MAX_RETRY_AFTER = 3600.0
# Answers worth another try of the same request (with the backoff, honouring Retry-After).
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """``delay(n)`` for the n-th retry (n = failures so far, from 0).

    The raw delay is ``base * factor**n`` capped at ``cap`` seconds; ``jitter`` (0..1) takes up
    to that fraction off at random, so that many clients do not retry in lock-step. The delay is
    never above ``cap`` and never below ``(1 - jitter)`` times the raw delay.
    """

    base: float = 1.0
    factor: float = 2.0
    cap: float = 300.0
    jitter: float = 0.2
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.base <= 0 or self.factor < 1 or self.cap < self.base:
            raise ValueError("Backoff needs base > 0, factor >= 1 and cap >= base")
        if not 0 <= self.jitter <= 1:
            raise ValueError("Backoff.jitter must be between 0 and 1")

    def delay(self, retry_count: int) -> float:
        exponent = min(max(retry_count, 0), 64)  # 2**64 seconds is past any cap
        raw = min(self.cap, self.base * self.factor**exponent)
        return raw * (1.0 - self.jitter * self.random())

    def wait(self, retry_count: int, retry_after: float | None = None) -> float:
        """The delay before the next try: the backoff, raised to at least ``retry_after``."""
        return max(self.delay(retry_count), retry_after or 0.0)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped at one hour."""
    if value is None or not value.strip() or len(value) > 100:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
