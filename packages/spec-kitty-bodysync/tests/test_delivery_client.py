"""The one delivery client: limits hold whatever a loopback server answers."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from spec_kitty_bodysync.delivery import DeliverySettings, HttpClient
from spec_kitty_bodysync.errors import (
    AnswerInvalidError,
    AnswerTooLargeError,
    DeadlineExceededError,
    RedirectRefusedError,
    ServerUnreachableError,
    SettingsError,
)

PATH = "/api/v1/events/batch/"
TOKEN = "tok-very-secret"
SMALL = DeliverySettings(timeout=5.0, max_answer_bytes=64 * 1024)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


def _client(server: HTTPServer, settings: DeliverySettings = SMALL) -> HttpClient:
    return HttpClient(server.url_for("/").rstrip("/"), TOKEN, settings)


def _respond(server: HTTPServer, response: Response) -> None:
    server.expect_request(PATH, method="POST").respond_with_response(response)


def test_plain_and_gzip_answers_are_decoded(server: HTTPServer) -> None:
    doc = b'{"results": []}'
    _respond(server, Response(gzip.compress(doc), headers={"Content-Encoding": "gzip"}))
    with _client(server) as client:
        reply = client.post(PATH, b"{}")
        assert (reply.status, reply.json()) == (200, {"results": []})
        server.clear()
        deflated = zlib.compress(doc)
        _respond(server, Response(deflated, headers={"Content-Encoding": "deflate"}))
        assert client.post(PATH, b"{}").json() == {"results": []}
    [(request, _)] = server.log[:1]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_gzip_bomb_stops_at_the_cap(server: HTTPServer) -> None:
    bomb = gzip.compress(b"0" * (50 * 1024 * 1024), compresslevel=9)  # ~50 KB on the wire
    _respond(server, Response(bomb, headers={"Content-Encoding": "gzip"}))
    with _client(server) as client, pytest.raises(AnswerTooLargeError) as err:
        client.post(PATH, b"{}")
    assert err.value.code == "SYNC_ANSWER_TOO_LARGE"
    assert err.value.details["limit_bytes"] == SMALL.max_answer_bytes


@pytest.mark.parametrize("declared", [True, False])
def test_large_plain_answer_is_refused(server: HTTPServer, declared: bool) -> None:
    body = b"x" * (SMALL.max_answer_bytes + 10)
    if declared:
        _respond(server, Response(body))
    else:
        _respond(server, Response(iter([body[:40000], body[40000:]])))  # chunked, no length
    with _client(server) as client, pytest.raises(AnswerTooLargeError):
        client.post(PATH, b"{}")


@pytest.mark.parametrize(
    ("encoding", "body"), [("br", b"\x00"), ("gzip, gzip", b""), ("gzip", b"not gzip at all")]
)
def test_undecodable_answers_are_invalid(server: HTTPServer, encoding: str, body: bytes) -> None:
    _respond(server, Response(body, headers={"Content-Encoding": encoding}))
    with _client(server) as client, pytest.raises(AnswerInvalidError) as err:
        client.post(PATH, b"{}")
    assert err.value.code == "SYNC_ANSWER_INVALID"


def test_deeply_nested_json_is_not_json(server: HTTPServer) -> None:
    _respond(server, Response(b"[" * 60_000))
    with _client(server) as client:
        assert client.post(PATH, b"{}").json() is None


@pytest.mark.parametrize(
    ("location", "same_origin"), [("/elsewhere/", True), ("https://collector.example/x", False)]
)
def test_redirects_are_refused(server: HTTPServer, location: str, same_origin: bool) -> None:
    _respond(server, Response("", status=308, headers={"Location": location}))
    with _client(server) as client, pytest.raises(RedirectRefusedError) as err:
        client.post(PATH, b"{}")
    assert err.value.details["same_origin"] is same_origin
    assert TOKEN not in err.value.message + str(err.value.details)
    assert len(server.log) == 1


def _drip(request: Request) -> Response:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # bounded: 40 s at most
            time.sleep(0.4)
            yield b" "

    return Response(chunks(), content_type="application/json")


def test_a_dripping_server_cannot_outlast_the_deadline(server: HTTPServer) -> None:
    server.expect_request(PATH, method="POST").respond_with_handler(_drip)
    settings = DeliverySettings(timeout=30.0)
    started = time.monotonic()
    with HttpClient(server.url_for("/").rstrip("/"), TOKEN, settings) as client:
        client._http()
        with pytest.raises(DeadlineExceededError) as err:
            client.post(PATH, b"{}", deadline=time.monotonic() + 1.5)
    assert time.monotonic() - started < 5
    assert err.value.code == "SYNC_DEADLINE_EXCEEDED"


def test_a_dripping_server_hits_the_per_request_timeout(server: HTTPServer) -> None:
    server.expect_request(PATH, method="POST").respond_with_handler(_drip)
    started = time.monotonic()
    with HttpClient(server.url_for("/").rstrip("/"), TOKEN, DeliverySettings(timeout=1.0)) as c:
        c._http()
        with pytest.raises(ServerUnreachableError) as err:
            c.post(PATH, b"{}", deadline=time.monotonic() + 60)
    assert time.monotonic() - started < 5
    assert err.value.code == "SYNC_SERVER_UNREACHABLE"


@pytest.mark.parametrize("url", ["http://saas.example", "ftp://127.0.0.1"])
def test_the_token_is_never_sent_in_clear_to_a_remote_host(url: str) -> None:
    with HttpClient(url, TOKEN, SMALL) as client, pytest.raises(SettingsError) as err:
        client.post(PATH, b"{}")
    assert err.value.code == "SERVER_URL_INSECURE"
    assert TOKEN not in err.value.message + str(err.value.details)
