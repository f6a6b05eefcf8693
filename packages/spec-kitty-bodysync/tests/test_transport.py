from __future__ import annotations

import json
import socket
import time
from email.utils import formatdate
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from spec_kitty_bodysync import (
    HttpTransport,
    NamespaceRef,
    UploadAuthError,
    UploadOutcome,
    parse_retry_after,
)

from .conftest import UPLOAD_KEYS, FakeSaas

PATH = "/api/dossier/push-content/"


def _payload(ns: NamespaceRef, body: str = "# Spec\n") -> dict[str, str]:
    from spec_kitty_bodysync import content_hash

    return {
        **ns.to_dict(),
        "artifact_path": "spec.md",
        "content_hash": content_hash(body),
        "hash_algorithm": "sha256",
        "content_body": body,
    }


def _answer(server: HTTPServer, status: int, body: Any = None, **headers: str) -> None:
    text = body if isinstance(body, str) else json.dumps(body or {})
    server.expect_request(PATH, method="POST").respond_with_response(
        Response(text, status=status, headers=headers)
    )


def test_sends_exactly_the_nine_keys_with_bearer_auth(saas: FakeSaas, ns: NamespaceRef) -> None:
    with HttpTransport(saas.url + "/", "tok-123") as transport:
        first = transport.send(_payload(ns))
        second = transport.send(_payload(ns))
    assert first == UploadOutcome.delivered(status_code=201, reason="stored")
    assert second == UploadOutcome.delivered(status_code=200, reason="already_exists")
    assert set(saas.requests[0]) == UPLOAD_KEYS
    assert saas.requests[0] == _payload(ns)
    assert saas.headers[0]["Authorization"] == "Bearer tok-123"
    assert saas.headers[0]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (400, {"error": "validation_error", "detail": "bad hash"}, "HTTP 400: validation_error - bad hash"),
        (404, {"error": "namespace_not_found"}, "HTTP 404: namespace_not_found"),
        (403, "forbidden", "HTTP 403: forbidden"),
        (413, [1, 2], "HTTP 413: [1, 2]"),
        (422, {}, "HTTP 422: {}"),
    ],
)  # fmt: skip
def test_other_4xx_are_dead_letters_with_the_reason(
    httpserver_ipv4: HTTPServer, ns: NamespaceRef, status: int, body: Any, reason: str
) -> None:
    _answer(httpserver_ipv4, status, body)
    with HttpTransport(httpserver_ipv4.url_for("/"), "t") as transport:
        outcome = transport.send(_payload(ns))
    assert outcome == UploadOutcome.dead_letter(reason=reason, status_code=status)


def test_401_raises_instead_of_marking(httpserver_ipv4: HTTPServer, ns: NamespaceRef) -> None:
    _answer(httpserver_ipv4, 401, {"detail": "token expired"})
    with (
        HttpTransport(httpserver_ipv4.url_for("/"), "t") as transport,
        pytest.raises(UploadAuthError) as err,
    ):
        transport.send(_payload(ns))
    assert err.value.code == "BODY_SYNC_UNAUTHORIZED"
    assert err.value.details["status_code"] == 401
    assert "token expired" in err.value.message


@pytest.mark.parametrize(
    ("status", "headers", "body", "after"),
    [
        (429, {"Retry-After": "7"}, {"error": "rate_limited"}, 7.0),
        (429, {}, {"error": "rate_limited", "retry_after": 12}, 12.0),
        (429, {}, "slow down", None),
        (503, {"Retry-After": "2"}, "", 2.0),
        (500, {}, "boom", None),
        (408, {}, "", None),
        (202, {}, {"status": "accepted_pending"}, None),
    ],
)
def test_transient_answers_are_retried_honouring_retry_after(
    httpserver_ipv4: HTTPServer,
    ns: NamespaceRef,
    status: int,
    headers: dict[str, str],
    body: Any,
    after: float | None,
) -> None:
    _answer(httpserver_ipv4, status, body, **headers)
    with HttpTransport(httpserver_ipv4.url_for("/"), "t") as transport:
        outcome = transport.send(_payload(ns))
    assert outcome.kind == "retry"
    assert outcome.status_code == status
    assert outcome.retry_after == after
    assert not outcome.unreachable
    assert f"HTTP {status}" in outcome.reason


@pytest.mark.parametrize(
    ("location", "same_origin"),
    [("/elsewhere", True), ("https://collector.example/steal", False)],
)
def test_redirects_are_refused_never_followed(
    httpserver_ipv4: HTTPServer, ns: NamespaceRef, location: str, same_origin: bool
) -> None:
    from spec_kitty_bodysync import RedirectRefusedError

    _answer(httpserver_ipv4, 307, "", Location=location)
    with (
        HttpTransport(httpserver_ipv4.url_for("/"), "tok-secret") as transport,
        pytest.raises(RedirectRefusedError) as err,
    ):
        transport.send(_payload(ns))
    assert err.value.code == "SYNC_REDIRECT_REFUSED"
    assert err.value.details["same_origin"] is same_origin
    assert "tok-secret" not in str(err.value.details) + err.value.message
    assert len(httpserver_ipv4.log) == 1  # the redirect target was never asked


def test_refused_connection_is_retried_as_unreachable(ns: NamespaceRef) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with HttpTransport(f"http://127.0.0.1:{port}", "t", timeout=2) as transport:
        outcome = transport.send(_payload(ns))
    assert outcome.kind == "retry" and outcome.unreachable
    assert outcome.reason.startswith("unreachable")


def test_timeout_is_retried_as_unreachable(httpserver_ipv4: HTTPServer, ns: NamespaceRef) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("{}", status=201)

    httpserver_ipv4.expect_request(PATH, method="POST").respond_with_handler(slow)
    with HttpTransport(httpserver_ipv4.url_for("/"), "t", timeout=0.1) as transport:
        outcome = transport.send(_payload(ns))
    assert outcome.kind == "retry" and outcome.unreachable
    assert outcome.reason.startswith("timeout")


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("99999") == 3600.0
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    now = time.time()
    date = formatdate(now + 60, usegmt=True)
    assert 55 <= (parse_retry_after(date, now=now) or 0) <= 61
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00") is None  # no zone: ignored
