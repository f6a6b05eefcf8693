"""spec_kitty_bodysync.delivery: how spec-kitty talks to the SaaS, for both of its queues.

The CLI's event queue (`spec-kitty sync now`) and the body queue (`sync bodies`, ``drain()``)
deliver through this one mechanism:

    DeliverySettings   timeouts, retry bounds, batch size, answer cap (SPEC_KITTY_SYNC_*)
    resolve_server     the server URL and token (env, else `spec-kitty auth login`'s file);
                       normalize_server_url / require_secure_url: https, or http to loopback only
    Backoff            the one retry formula; parse_retry_after (a server's Retry-After raises it)
    RetryNotice        what a run reports while it waits (attempt, backoff, what is pending)
    HttpClient, Reply  the one httpx transport: no redirects, the deadline enforced during a
                       request, answers streamed and capped after decompression

It lives in spec-kitty-bodysync because that is the lowest package that speaks HTTP and the CLI
already depends on it; the CLI's event outbox imports it from here.
"""

from __future__ import annotations

from ._backoff import MAX_RETRY_AFTER, TRANSIENT_STATUS, Backoff, parse_retry_after
from ._client import HttpClient, Reply
from ._credentials import (
    SERVER_ENV,
    TOKEN_ENV,
    credentials_path,
    delete_credentials,
    is_loopback_host,
    normalize_server_url,
    read_credentials,
    require_secure_url,
    resolve_server,
    server_settings,
    validate_token,
    write_credentials,
)
from ._progress import Notify, RetryNotice
from ._settings import MAX_ANSWER_BYTES, MAX_BATCH, DeliverySettings

__all__ = [  # noqa: RUF022
    "Backoff",
    "DeliverySettings",
    "HttpClient",
    "MAX_ANSWER_BYTES",
    "MAX_BATCH",
    "MAX_RETRY_AFTER",
    "Notify",
    "Reply",
    "RetryNotice",
    "SERVER_ENV",
    "TOKEN_ENV",
    "TRANSIENT_STATUS",
    "credentials_path",
    "delete_credentials",
    "is_loopback_host",
    "normalize_server_url",
    "parse_retry_after",
    "read_credentials",
    "require_secure_url",
    "resolve_server",
    "server_settings",
    "validate_token",
    "write_credentials",
]
