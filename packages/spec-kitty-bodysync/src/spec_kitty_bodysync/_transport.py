"""HttpTransport: POST one body to `{server}/api/dossier/push-content/`, classify the answer.

The request goes through the one delivery client (``spec_kitty_bodysync.delivery.HttpClient``:
https or loopback http only, no redirects, the deadline enforced during the request, the answer
capped after decompression). 201 stored and 200 already present are delivered, once the answer
is checked: a JSON object whose ``status`` (if any) is ``stored``/``already_exists`` and whose
``artifact_path``/``content_hash`` (if any) echo what was sent, else AnswerInvalidError. 401
raises ``UploadAuthError``: the token is wrong for every body, so the drain stops without
touching a row; so do a redirect, a too large or malformed answer and the run's deadline (the
``DeliveryError``s). 408, 429 and 5xx, per-request timeouts and refused connections are retried
(Retry-After honoured). Every other 4xx is a permanent refusal of that body (dead letter, reason
kept). Anything else (1xx, other 2xx) cannot be confirmed as stored, so it is retried. 404
``index_entry_not_found`` (the server has not accepted an index event for this body yet) is its
own outcome, ``unindexed``: the body is fine, the caller re-queues the index event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .delivery import DeliverySettings, HttpClient, Reply, parse_retry_after
from .errors import AnswerInvalidError, ServerUnreachableError, UploadAuthError

__all__ = [
    "INDEX_ENTRY_NOT_FOUND",
    "PUSH_CONTENT_PATH",
    "HttpTransport",
    "Transport",
    "UploadOutcome",
    "parse_retry_after",
]

PUSH_CONTENT_PATH = "/api/dossier/push-content/"
_ECHOED = ("artifact_path", "content_hash")
INDEX_ENTRY_NOT_FOUND = "index_entry_not_found"


@dataclass(frozen=True, kw_only=True)
class UploadOutcome:
    """delivered | retry (after seconds, or None = use the backoff) | dead_letter (reason)."""

    kind: Literal["delivered", "retry", "dead_letter", "unindexed"]
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

    @classmethod
    def unindexed(cls, *, reason: str) -> UploadOutcome:
        """404 index_entry_not_found: the server holds no accepted index entry for the body."""
        return cls(kind="unindexed", reason=reason, status_code=404)


class Transport(Protocol):
    """Anything that can send one push-content payload."""

    def send(self, payload: dict[str, Any]) -> UploadOutcome: ...


def _describe(reply: Reply) -> str:
    """``HTTP 400 validation_error: detail`` from the server's JSON error, else the raw text."""
    head = f"HTTP {reply.status}"
    body = reply.json()
    if body is None:
        text = reply.text(200)
        return f"{head}: {text}" if text else head
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "status", "detail", "message") if body.get(k)]
        if parts:
            return f"{head}: " + " - ".join(parts)[:300]
    return f"{head}: {json.dumps(body)[:200]}"


def _check_stored(reply: Reply, payload: dict[str, Any]) -> None:
    """AnswerInvalidError unless a 200/201 answer is a JSON object that matches the upload."""
    body = reply.json()
    problem = None
    if not isinstance(body, dict):
        problem = "is not a JSON object"
    elif body.get("status", "stored") not in ("stored", "already_exists"):
        problem = "has a status other than stored/already_exists"
    else:
        for key in _ECHOED:
            if key in body and body[key] != payload.get(key):
                problem = f"names another {key} than the one sent"
    if problem is not None:
        raise AnswerInvalidError(
            f"the push-content answer (HTTP {reply.status}) {problem}; the body stays queued",
            details={
                "url": reply.url,
                "status": reply.status,
                "artifact": payload.get("artifact_path"),
            },
        )


def _error_code(reply: Reply) -> str | None:
    body = reply.json()
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


def classify(reply: Reply, payload: dict[str, Any] | None = None) -> UploadOutcome:
    """Map one push-content answer to an outcome (401 raises UploadAuthError)."""
    code = reply.status
    reason = _describe(reply)
    if code in (200, 201):
        _check_stored(reply, payload or {})
        return UploadOutcome.delivered(
            status_code=code, reason="stored" if code == 201 else "already_exists"
        )
    if code == 401:
        raise UploadAuthError(
            f"the server refused the token ({reason}); run `spec-kitty auth` and sync again",
            details={"status_code": code, "url": reply.url, "hint": "spec-kitty auth"},
        )
    if code in (408, 429) or 500 <= code <= 599:
        after = reply.retry_after
        if after is None and code == 429:
            body = reply.json()
            raw = body.get("retry_after") if isinstance(body, dict) else None
            if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
                after = parse_retry_after(str(raw))
        return UploadOutcome.retry(reason=reason, status_code=code, after=after)
    if code == 404 and _error_code(reply) == INDEX_ENTRY_NOT_FOUND:
        return UploadOutcome.unindexed(reason=reason)
    if 400 <= code <= 499:
        return UploadOutcome.dead_letter(reason=reason, status_code=code)
    return UploadOutcome.retry(reason=f"unexpected answer {reason}", status_code=code)


class HttpTransport:
    """Sends push-content requests through one pooled HttpClient (close() or use `with`).

    ``deadline`` (absolute ``time.monotonic()``, None: only the per-request timeout) bounds
    every request; passing it raises DeadlineExceededError out of ``send``.
    """

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        timeout: float | None = None,
        settings: DeliverySettings | None = None,
        deadline: float | None = None,
    ) -> None:
        base = settings or DeliverySettings()
        if timeout is not None:
            base = DeliverySettings(**{**base.__dict__, "timeout": timeout})
        self.settings = base
        self.deadline = deadline
        self.url = server_url.rstrip("/") + PUSH_CONTENT_PATH
        self._client = HttpClient(server_url, token, base, user_agent="spec-kitty-bodysync")

    def send(self, payload: dict[str, Any]) -> UploadOutcome:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            reply = self._client.post(
                PUSH_CONTENT_PATH,
                body.encode("utf-8"),
                headers={"Content-Type": "application/json"},
                deadline=self.deadline,
            )
        except ServerUnreachableError as exc:
            kind = "timeout" if "Timeout" in str(exc.details.get("reason")) else "unreachable"
            return UploadOutcome.retry(reason=f"{kind}: {exc.message}", unreachable=True)
        return classify(reply, payload)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
