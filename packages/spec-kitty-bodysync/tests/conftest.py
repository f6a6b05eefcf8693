"""Fixtures for spec-kitty-bodysync tests: a real SQLite queue and a loopback push-content server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from spec_kitty_bodysync import BodyQueue, NamespaceRef

PROJECT_UUID = "5b2c1e0a-1111-4222-8333-444455556666"
UPLOAD_KEYS = {
    "project_uuid",
    "mission_slug",
    "target_branch",
    "mission_type",
    "manifest_version",
    "artifact_path",
    "content_hash",
    "hash_algorithm",
    "content_body",
}


@dataclass
class FakeSaas:
    """push-content as the SaaS answers it: 201 stored once per key, 200 already_exists after.

    ``script`` is consumed one entry per request before the normal answer: an int status
    (optionally with headers) answers that request instead of storing. ``on_store`` runs
    when a body is stored for the first time, before the answer is sent.
    """

    server: HTTPServer
    stored: dict[tuple[str, ...], str] = field(default_factory=dict)
    store_events: list[tuple[str, ...]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    on_store: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def handle(self, request: Request) -> Response:
        with self.lock:
            body = json.loads(request.get_data(as_text=True))
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            if self.script:
                status, headers, payload = self.script.pop(0)
                text = payload if isinstance(payload, str) else json.dumps(payload)
                return Response(text, status=status, headers=headers)
            assert set(body) == UPLOAD_KEYS, sorted(body)
            key = tuple(body[k] for k in sorted(UPLOAD_KEYS - {"content_body"}))
            if key in self.stored:
                answer = {"status": "already_exists", "artifact_path": body["artifact_path"]}
                return Response(json.dumps(answer), status=200)
            self.stored[key] = body["content_body"]
            self.store_events.append(key)
            if self.on_store is not None:
                self.on_store(len(self.store_events))
            answer = {"status": "stored", "artifact_path": body["artifact_path"]}
            return Response(json.dumps(answer), status=201)


@pytest.fixture
def saas(httpserver_ipv4: HTTPServer) -> FakeSaas:
    fake = FakeSaas(httpserver_ipv4)
    httpserver_ipv4.expect_request(
        "/api/dossier/push-content/", method="POST"
    ).respond_with_handler(fake.handle)
    return fake


@pytest.fixture
def ns() -> NamespaceRef:
    return NamespaceRef(
        project_uuid=PROJECT_UUID,
        mission_slug="001-user-auth",
        target_branch="main",
        mission_type="software-dev",
        manifest_version="1",
    )


@pytest.fixture
def queue(tmp_path: Path) -> Any:
    q = BodyQueue(tmp_path / "state" / "bodies.db")
    yield q
    q.close()
