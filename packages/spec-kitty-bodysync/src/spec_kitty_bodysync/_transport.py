"""HttpTransport: POST one body to `{server}/api/dossier/push-content/`, classify the answer.

201 stored and 200 already present are delivered. 401 raises ``UploadAuthError``: the token is
wrong for every body, so the drain stops without touching a row. 408, 429 and 5xx, timeouts and
refused connections are retried (Retry-After honoured). Every other 4xx is a permanent refusal
of that body (dead letter, reason kept). Anything else (1xx, 3xx, other 2xx) cannot be confirmed
as stored, so it is retried.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .errors import UploadAuthError

if TYPE_CHECKING:
    import httpx

__all__ = ["PUSH_CONTENT_PATH", "HttpTransport", "Transport", "UploadOutcome", "parse_retry_after"]

PUSH_CONTENT_PATH = "/api/dossier/push-content/"
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True, kw_only=True)
class UploadOutcome:
    """delivered | retry (after seconds, or None = use the backoff) | dead_letter (reason)."""

    kind: Literal["delivered", "retry", "dead_letter"]
    reason: str = ""
    status_code: int | None = None
    retry_after: float | None = None
    unreachable: bool = False  # no HTTP answer at all (refused, timeout, DNS)

    @classmethod
    def delivered(cls, *, status_code: int, reason: str) -> UploadOutcome:
        return cls(kind="delivered", status_code=status_code, reason=reason)

    @classmethod
    def retry(
        cls,
        *,
        reason: str,
        status_code: int | None = None,
        after: float | None = None,
        unreachable: bool = False,
    ) -> UploadOutcome:
        return cls(
            kind="retry",
            reason=reason,
            status_code=status_code,
            retry_after=after,
            unreachable=unreachable,
        )

    @classmethod
    def dead_letter(cls, *, reason: str, status_code: int | None = None) -> UploadOutcome:
        return cls(kind="dead_letter", reason=reason, status_code=status_code)


class Transport(Protocol):
    """Anything that can send one push-content payload."""

    def send(self, payload: dict[str, Any]) -> UploadOutcome: ...


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped at one hour."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _describe(response: httpx.Response) -> str:
    """``HTTP 400 validation_error: detail`` from the server's JSON error, else the raw text."""
    head = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:200]
        return f"{head}: {text}" if text else head
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "status", "detail", "message") if body.get(k)]
        if parts:
            return f"{head}: " + " - ".join(parts)[:300]
    return f"{head}: {json.dumps(body)[:200]}"


def classify(response: httpx.Response, *, now: float | None = None) -> UploadOutcome:
    """Map one push-content answer to an outcome (401 raises UploadAuthError)."""
    code = response.status_code
    reason = _describe(response)
    if code == 201:
        return UploadOutcome.delivered(status_code=code, reason="stored")
    if code == 200:
        return UploadOutcome.delivered(status_code=code, reason="already_exists")
    if code == 401:
        raise UploadAuthError(
            f"the server refused the token ({reason}); run `spec-kitty auth` and sync again",
            details={
                "status_code": code,
                "url": str(response.request.url),
                "hint": "spec-kitty auth",
            },
        )
    if code in (408, 429) or 500 <= code <= 599:
        after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        if after is None and code == 429:
            try:
                body = response.json()
                raw = body.get("retry_after") if isinstance(body, dict) else None
                after = parse_retry_after(None if raw is None else str(raw), now=now)
            except ValueError:
                after = None
        return UploadOutcome.retry(reason=reason, status_code=code, after=after)
    if 400 <= code <= 499:
        return UploadOutcome.dead_letter(reason=reason, status_code=code)
    return UploadOutcome.retry(reason=f"unexpected answer {reason}", status_code=code)


class HttpTransport:
    """Sends push-content requests with one pooled httpx client (close() or use `with`)."""

    def __init__(self, server_url: str, token: str, *, timeout: float = 30.0) -> None:
        self.url = server_url.rstrip("/") + PUSH_CONTENT_PATH
        self._token = token
        self.timeout = timeout
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            import socket

            import httpx

            # TCP_NODELAY: headers and body leave in two writes; without it Nagle and the
            # peer's delayed ACK add ~40 ms to every upload on a keep-alive connection.
            nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            self._client = httpx.Client(
                transport=httpx.HTTPTransport(socket_options=nodelay),
                timeout=self.timeout,
                follow_redirects=False,
                headers={
                    "Authorization": f"Bearer {self._token}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": "spec-kitty-bodysync",
                },
            )
        return self._client

    def send(self, payload: dict[str, Any]) -> UploadOutcome:
        import httpx

        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            response = self._http().post(self.url, content=body.encode("utf-8"))
        except httpx.TimeoutException as exc:
            return UploadOutcome.retry(reason=f"timeout: {exc!r}", unreachable=True)
        except httpx.TransportError as exc:
            return UploadOutcome.retry(reason=f"unreachable: {exc!r}", unreachable=True)
        return classify(response)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
