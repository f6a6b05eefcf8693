"""DeliverySettings: the limits and retry bounds of every request spec-kitty sends to the SaaS.

Both queues (the CLI's event queue and the body queue) read them from here, once per run.

Environment (all optional; a value that is not a number in range is SYNC_SETTING_INVALID):

    SPEC_KITTY_SYNC_TIMEOUT            s, 30     the whole of one request (at most 3600)
    SPEC_KITTY_SYNC_BACKOFF_BASE       s, 0.5    first retry delay (> 0, at most 3600)
    SPEC_KITTY_SYNC_BACKOFF_MAX        s, 30     the largest retry delay (at most 3600)
    SPEC_KITTY_SYNC_MAX_ATTEMPTS       5         attempts per request (events), at most 100
    SPEC_KITTY_SYNC_DEADLINE           s, 300    the whole run (`sync now`), at most 86400
    SPEC_KITTY_SYNC_BATCH_SIZE         500       events per request (at most 1000)
    SPEC_KITTY_SYNC_MAX_ANSWER_BYTES   8 MiB     an answer, after decompression (at most 64 MiB)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import SettingsError
from ._backoff import Backoff

__all__ = ["MAX_ANSWER_BYTES", "MAX_BATCH", "DeliverySettings"]

MAX_BATCH = 1000
MAX_SECONDS = 3600.0  # one request, one backoff step
MAX_ATTEMPTS = 100
MAX_DEADLINE = 86400.0  # one run
MAX_ANSWER_BYTES = 64 * 1024 * 1024
BACKOFF_JITTER = 0.5  # a delay is drawn from [ceiling / 2, ceiling]


def _env_number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float,
    maximum: float = float("inf"),
    integer: bool = False,
) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value: float | None = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or value != value or not minimum <= value <= maximum:
        bound = f" and <= {maximum:g}" if maximum != float("inf") else ""
        shown = raw if len(raw) <= 64 else raw[:64] + "…"
        raise SettingsError(
            f"{name}={shown!r} must be a number >= {minimum:g}{bound}",
            details={"env": name, "value": shown},
        )
    return value


@dataclass(frozen=True, kw_only=True)
class DeliverySettings:
    """Timeouts, retry bounds and size limits of one delivery run (see the module doc)."""

    timeout: float = 30.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_attempts: int = 5
    deadline: float = 300.0
    batch_size: int = 500
    max_answer_bytes: int = 8 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        env = os.environ if environ is None else environ
        batch = int(_env_number(env, "SPEC_KITTY_SYNC_BATCH_SIZE", 500, minimum=1, integer=True))
        return cls(
            timeout=_env_number(
                env, "SPEC_KITTY_SYNC_TIMEOUT", 30.0, minimum=0.001, maximum=MAX_SECONDS
            ),
            backoff_base=_env_number(
                env, "SPEC_KITTY_SYNC_BACKOFF_BASE", 0.5, minimum=0.001, maximum=MAX_SECONDS
            ),
            backoff_max=_env_number(
                env, "SPEC_KITTY_SYNC_BACKOFF_MAX", 30.0, minimum=0.0, maximum=MAX_SECONDS
            ),
            max_attempts=int(
                _env_number(
                    env,
                    "SPEC_KITTY_SYNC_MAX_ATTEMPTS",
                    5,
                    minimum=1,
                    maximum=MAX_ATTEMPTS,
                    integer=True,
                )
            ),
            deadline=_env_number(
                env, "SPEC_KITTY_SYNC_DEADLINE", 300.0, minimum=0.001, maximum=MAX_DEADLINE
            ),
            batch_size=min(batch, MAX_BATCH),
            max_answer_bytes=int(
                _env_number(
                    env,
                    "SPEC_KITTY_SYNC_MAX_ANSWER_BYTES",
                    8 * 1024 * 1024,
                    minimum=1024,
                    maximum=MAX_ANSWER_BYTES,
                    integer=True,
                )
            ),
        )

    def backoff(self) -> Backoff:
        """The one backoff policy of both queues, shaped by these settings."""
        return Backoff(
            base=self.backoff_base,
            cap=max(self.backoff_max, self.backoff_base),
            jitter=BACKOFF_JITTER,
        )
