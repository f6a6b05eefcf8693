"""Shared HTTP pieces for talking to the SaaS: settings, client, backoff, Retry-After.

Retry policy (events and tracker alike): 408, 425, 429 and 5xx answers, timeouts and refused or
dropped connections are transient and retried with exponential backoff and full jitter:
``delay = uniform(base * 2**(n-1) / 2, base * 2**(n-1))`` capped at ``backoff_max``; a
``Retry-After`` header (``spec_kitty_bodysync.parse_retry_after``) raises the delay to at least that value. One run
is bounded by ``max_attempts`` per request and an overall ``deadline`` so a command always ends.

Environment (all optional): SPEC_KITTY_SYNC_TIMEOUT (s, 30), SPEC_KITTY_SYNC_BACKOFF_BASE (s, 0.5),
SPEC_KITTY_SYNC_BACKOFF_MAX (s, 30), SPEC_KITTY_SYNC_MAX_ATTEMPTS (5), SPEC_KITTY_SYNC_DEADLINE
(s per run, 300), SPEC_KITTY_SYNC_BATCH_SIZE (events per request, 500, at most 1000).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import Any

from .errors import CliError

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BATCH = 1000


def _env_number(name: str, default: float, *, minimum: float, integer: bool = False) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise CliError(
            "SYNC_SETTING_INVALID",
            f"{name}={raw!r} must be a number >= {minimum:g}",
            details={"env": name, "value": raw},
        )
    return value


@dataclass(frozen=True, kw_only=True)
class HttpSettings:
    timeout: float = 30.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_attempts: int = 5
    deadline: float = 300.0
    batch_size: int = 500

    @classmethod
    def from_env(cls) -> HttpSettings:
        batch = int(_env_number("SPEC_KITTY_SYNC_BATCH_SIZE", 500, minimum=1, integer=True))
        return cls(
            timeout=_env_number("SPEC_KITTY_SYNC_TIMEOUT", 30.0, minimum=0.001),
            backoff_base=_env_number("SPEC_KITTY_SYNC_BACKOFF_BASE", 0.5, minimum=0.0),
            backoff_max=_env_number("SPEC_KITTY_SYNC_BACKOFF_MAX", 30.0, minimum=0.0),
            max_attempts=int(
                _env_number("SPEC_KITTY_SYNC_MAX_ATTEMPTS", 5, minimum=1, integer=True)
            ),
            deadline=_env_number("SPEC_KITTY_SYNC_DEADLINE", 300.0, minimum=0.001),
            batch_size=min(batch, MAX_BATCH),
        )


def backoff_delay(
    attempt: int, settings: HttpSettings, *, rng: random.Random | None = None
) -> float:
    """Delay before retry number ``attempt`` (1-based): exponential with jitter, capped."""
    ceiling = min(settings.backoff_max, settings.backoff_base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(ceiling / 2, ceiling)


def user_agent() -> str:
    from ._version import __version__

    return f"spec-kitty/{__version__}"


def new_client(settings: HttpSettings) -> Any:
    """An httpx.Client with spec-kitty's timeout and User-Agent (no env proxies for loopback)."""
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": user_agent(), "Accept": "application/json"},
        follow_redirects=False,
    )


def transient_exceptions() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def describe_exception(exc: BaseException) -> str:
    """A short, token-free description of a transport failure."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
