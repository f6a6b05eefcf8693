"""A loopback stand-in for the spec-kitty SaaS, for integration tests and benchmarks.

``SaasStub`` runs a threaded HTTP server on 127.0.0.1 (random port) with:

- ``POST /api/v1/events/batch/`` — gzip or plain JSON ``{"events": [...]}``, bearer token
  required. Every envelope is validated with the installed spec-kitty-events 3.0.0
  (``validate_event(env, "Event", strict=True)``, the cutover signal, and for known event types
  ``validate_event(env["payload"], env["event_type"], strict=True)``) plus the wire rule
  ``aggregate_type in {Mission, WorkPackage, MissionDossier}`` (``validate=False`` skips this, for
benchmarks of the client alone). Invalid envelopes are answered
  ``rejected`` and recorded in ``invalid``. Dedupe by event_id: the first valid copy is
  ``success`` (counted in ``success_counts``), later copies ``duplicate``. Answers carry
  ``server_clock`` and a per-result ``lamport_clock``.
- ``POST /api/dossier/push-content/`` — as strict as the real ingress: 400 ``validation_error``
  for a blank namespace field, a ``..`` path, a body over 524,288 bytes or a content_hash that is
  not the sha256 of content_body; 404 ``namespace_not_found`` when no accepted dossier event ever
  named this namespace; 404 ``index_entry_not_found`` unless an ACCEPTED
  ``MissionDossierArtifactIndexed`` event carries the same mission_slug, artifact path and
  content hash; else 201 stored (200 when already stored). Every answer is in ``body_answers``.
  ``forget_index(slug, path)`` drops index entries (a server that lost them).
- ``POST /api/v1/tracker/{bind-resolve,bind-confirm,bind-validate}/`` — answers from
  ``tracker_answers`` (name -> JSON), recording each request.

``reject_event_types`` (a set of event types) answers those events ``rejected`` ("refused by
the stub"), as a server would refuse a type it does not accept. ``body_faults`` are consumed one
per push-content request before the checks: ``Fault(status=400, error="validation_error")``.

Faults for the batch endpoint are queued in ``faults`` and consumed one per request:
``Fault(status=500)``, ``Fault(status=429, retry_after="1")``, ``Fault(delay=2.0)`` (answer slowly
*after* the events were stored, like a server that commits and then stalls), ``Fault(drop=True)``
(close the connection without an answer). ``batch_delay`` slows every batch answer the same way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

AGGREGATE_TYPES = {"Mission", "WorkPackage", "MissionDossier"}
NAMESPACE_KEYS = (
    "project_uuid",
    "mission_slug",
    "target_branch",
    "mission_type",
    "manifest_version",
)
MAX_BODY_BYTES = 524_288


@dataclass(frozen=True, kw_only=True)
class Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    error: str = "injected fault"


def contract_problems(env: Any) -> list[str]:
    """Why spec-kitty-events 3.0.0 (and the SaaS wire rules) would refuse ``env``; [] if valid."""
    from spec_kitty_events.conformance import validate_event
    from spec_kitty_events.cutover import assert_canonical_cutover_signal

    if not isinstance(env, dict):
        return ["envelope is not an object"]
    problems: list[str] = []
    result = validate_event(env, "Event", strict=True)
    if not result.valid:
        problems.append(f"Event: {result}")
    try:
        assert_canonical_cutover_signal(env)
    except (TypeError, ValueError) as exc:
        problems.append(f"cutover: {exc}")
    if env.get("aggregate_type") not in AGGREGATE_TYPES:
        problems.append(f"aggregate_type {env.get('aggregate_type')!r}")
    if not env.get("build_id"):
        problems.append("build_id missing or empty")
    try:
        payload_result = validate_event(
            env.get("payload") or {}, str(env.get("event_type")), strict=True
        )
    except ValueError:
        payload_result = None  # a CLI-only type (e.g. WPCreated): the envelope checks apply
    if payload_result is not None and not payload_result.valid:
        problems.append(f"payload {env.get('event_type')}: {payload_result}")
    return problems


class SaasStub:
    def __init__(
        self,
        *,
        token: str = "stub-token",
        validate: bool = True,
        reject_event_types: set[str] | None = None,
    ) -> None:
        self.token = token
        self.reject_event_types = set(reject_event_types or ())
        self.body_faults: deque[Fault] = deque()
        self.validate = validate
        self.lock = threading.Lock()
        self.events: dict[str, dict[str, Any]] = {}
        self.success_counts: Counter[str] = Counter()
        self.duplicate_counts: Counter[str] = Counter()
        self.invalid: list[dict[str, Any]] = []
        self.batches: list[list[str]] = []
        self.bodies: dict[tuple[str, ...], dict[str, Any]] = {}
        self.body_answers: list[tuple[int, str, str]] = []  # (status, error|status, artifact_path)
        self.namespaces: set[tuple[str, ...]] = set()
        self.index_entries: set[tuple[str, str, str]] = set()  # (mission_slug, path, hash)
        self.tracker_calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.tracker_answers: dict[str, dict[str, Any]] = {}
        self.faults: deque[Fault] = deque()
        self.batch_delay = 0.0
        self.clock = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SaasStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                stub._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SaasStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- request handling ---------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length)
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            self._reply(req, 401, {"error": "unauthorized"})
            return
        if req.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._reply(req, 400, {"error": "invalid JSON"})
            return
        path = req.path.split("?", 1)[0]
        if path == "/api/v1/events/batch/":
            self._batch(req, body)
        elif path == "/api/dossier/push-content/":
            self._push_content(req, body)
        elif path.startswith("/api/v1/tracker/"):
            name = path.removeprefix("/api/v1/tracker/").strip("/")
            with self.lock:
                self.tracker_calls.append((name, body, dict(req.headers)))
            answer = self.tracker_answers.get(name)
            self._reply(req, 200 if answer is not None else 404, answer or {"error": "no"})
        else:
            self._reply(req, 404, {"error": f"unknown path {path}"})

    def forget_index(self, mission_slug: str, artifact_path: str) -> None:
        with self.lock:
            self.index_entries = {
                e for e in self.index_entries if (e[0], e[1]) != (mission_slug, artifact_path)
            }

    def _body_problem(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict):
            return 400, "validation_error"
        text = body.get("content_body")
        path = body.get("artifact_path")
        if (
            any(not isinstance(body.get(k), str) or not body[k].strip() for k in NAMESPACE_KEYS)
            or not isinstance(text, str)
            or not isinstance(path, str)
            or ".." in path.split("/")
            or len(text.encode("utf-8")) > MAX_BODY_BYTES
            or body.get("hash_algorithm") != "sha256"
            or body.get("content_hash") != hashlib.sha256(text.encode("utf-8")).hexdigest()
        ):
            return 400, "validation_error"
        if tuple(body[k] for k in NAMESPACE_KEYS) not in self.namespaces:
            return 404, "namespace_not_found"
        if (body["mission_slug"], path, body["content_hash"]) not in self.index_entries:
            return 404, "index_entry_not_found"
        return None

    def _push_content(self, req: BaseHTTPRequestHandler, body: Any) -> None:
        with self.lock:
            fault = self.body_faults.popleft() if self.body_faults else None
            problem = (
                self._body_problem(body)
                if fault is None or fault.status is None
                else (fault.status, fault.error)
            )
            path = str(body.get("artifact_path")) if isinstance(body, dict) else ""
            if problem is not None:
                self.body_answers.append((problem[0], problem[1], path))
            else:
                key = tuple(
                    str(body.get(k))
                    for k in ("project_uuid", "mission_slug", "artifact_path", "content_hash")
                )
                known = key in self.bodies
                self.bodies[key] = body
                self.body_answers.append((200 if known else 201, "ok", path))
        if problem is not None:
            self._reply(req, problem[0], {"error": problem[1]})
            return
        self._reply(req, 200 if known else 201, {"status": "already_exists" if known else "stored"})

    def _index(self, env: dict[str, Any]) -> None:
        """An accepted dossier event: its namespace is known; an index event adds an entry."""
        payload = env.get("payload") or {}
        namespace = payload.get("namespace") or {}
        self.namespaces.add(tuple(str(namespace.get(k)) for k in NAMESPACE_KEYS))
        if env.get("event_type") == "MissionDossierArtifactIndexed":
            self.index_entries.add(
                (
                    str(namespace.get("mission_slug")),
                    str(payload["artifact_id"]["path"]),
                    str(payload["content_ref"]["hash"]),
                )
            )

    def _batch(self, req: BaseHTTPRequestHandler, body: Any) -> None:
        with self.lock:
            fault = self.faults.popleft() if self.faults else Fault()
        if fault.drop:
            req.close_connection = True
            req.connection.close()
            return
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._reply(req, fault.status, {"error": fault.error}, headers)
            return
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            self._reply(req, 400, {"error": "events must be a list"})
            return
        results = []
        with self.lock:
            self.batches.append([str(e.get("event_id")) for e in events if isinstance(e, dict)])
            for env in events:
                problems = contract_problems(env) if self.validate else []
                if isinstance(env, dict) and env.get("event_type") in self.reject_event_types:
                    problems.append("refused by the stub")
                eid = env.get("event_id") if isinstance(env, dict) else None
                self.clock += 1
                if problems:
                    self.invalid.append({"event_id": eid, "problems": problems})
                    results.append(
                        {"event_id": eid, "status": "rejected", "error": "; ".join(problems)}
                    )
                elif eid in self.events:
                    self.duplicate_counts[eid] += 1
                    results.append({"event_id": eid, "status": "duplicate"})
                else:
                    self.events[eid] = env
                    self.success_counts[eid] += 1
                    if str(env.get("event_type", "")).startswith("MissionDossier"):
                        self._index(env)
                    self.clock = max(self.clock, int(env.get("lamport_clock", 0)))
                    results.append(
                        {"event_id": eid, "status": "success", "lamport_clock": self.clock}
                    )
            server_clock = self.clock
        delay = fault.delay or self.batch_delay
        if delay:
            time.sleep(delay)
        self._reply(req, 200, {"results": results, "server_clock": server_clock})

    @staticmethod
    def _reply(
        req: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                req.send_header(key, value)
            req.end_headers()
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout or killed): the events are stored all the same
