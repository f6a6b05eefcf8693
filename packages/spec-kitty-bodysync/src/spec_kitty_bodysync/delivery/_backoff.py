"""Backoff: when to try a failed upload again (exponential, capped, with jitter)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Backoff"]


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
