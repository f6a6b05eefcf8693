"""The dashboard's HTTP server: the standard library's ThreadingHTTPServer, read-only.

- GET only: every other method is answered 405 with ``Allow: GET`` (and the connection closed).
- Only fixed routes: three packaged assets and the JSON endpoints of ``_data.ENDPOINTS``. URL
  paths are matched, never mapped to files, so nothing outside the project (or inside it, other
  than these records) can be served. Mission and WP selectors are checked before use.
- Every answer carries a strict Content-Security-Policy (only this origin's script and style, no
  inline code, no frames, no forms), ``nosniff`` and ``no-store``; no external asset exists.
- A request whose ``Host`` header names another host is refused (DNS-rebinding protection).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from ._data import DashboardData, NotFoundError

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/plot.js": ("plot.js", "text/javascript; charset=utf-8"),
    "/static/app.css": ("app.css", "text/css; charset=utf-8"),
    "/static/icon.svg": ("icon.svg", "image/svg+xml"),
}
SELECTOR = r"([A-Za-z0-9][A-Za-z0-9_-]{0,127})"
ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/api/(registry|changes|missions|sync|identity)$"), "plain"),
    (re.compile(rf"^/api/missions/{SELECTOR}/(status|board|timeline|run)$"), "mission"),
    (re.compile(rf"^/api/missions/{SELECTOR}/wps/(WP[0-9]{{2,6}})/history$"), "history"),
]
MAX_PATH = 2048
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def load_assets() -> dict[str, tuple[bytes, str]]:
    """The page's files, read once from the package (they never come from the project)."""
    folder = resources.files("spec_kitty_cli.dashboard") / "static"
    return {path: ((folder / name).read_bytes(), ctype) for path, (name, ctype) in ASSETS.items()}


def _status_for(code: str) -> int:
    if code.endswith("NOT_FOUND"):
        return 404
    if code == "MISSION_AMBIGUOUS_SELECTOR" or code.endswith("AMBIGUOUS"):
        return 409
    return 422


class DashboardServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        data: DashboardData,
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.data = data
        self.assets = load_assets()
        self.log = log
        port = self.server_address[1]
        host = address[0]
        self.allowed_hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
        shown = f"[{host}]" if ":" in host else host
        self.allowed_hosts.add(f"{shown}:{port}")
        self.any_host = host in ("0.0.0.0", "::")  # noqa: S104 - explicit --host only
        self.url = f"http://{'127.0.0.1' if self.any_host else shown}:{port}/"

    def answer(self, path: str) -> tuple[int, Any]:
        """(HTTP status, JSON document) for an API path."""
        data = self.data
        for pattern, kind in ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            try:
                if kind == "plain":
                    return 200, getattr(data, match.group(1))()
                if kind == "mission":
                    return 200, getattr(data, match.group(2))(match.group(1))
                return 200, data.history(match.group(1), match.group(2))
            except Exception as exc:
                from spec_kitty_identity import as_structured

                error = as_structured(exc)
                if error is None:
                    if self.log is not None:
                        self.log(f"dashboard: {path}: unexpected {type(exc).__name__}: {exc}")
                    return 500, _error("INTERNAL_ERROR", f"unexpected {type(exc).__name__}", {})
                message = error.message or str(exc)
                return _status_for(error.code), _error(error.code, message, error.details)
        raise NotFoundError("NOT_FOUND", f"no such page: {path}", {"path": path})


def _error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"result": "error", "error_code": code, "message": message, "details": details}


class Handler(BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"
    server_version = "spec-kitty-dashboard"
    sys_version = ""
    timeout = 30

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would drown the URL the command printed."""

    def _send(
        self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, doc: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", extra)

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        if not self.server.any_host and host not in self.server.allowed_hosts:
            self._json(
                403,
                _error(
                    "HOST_NOT_ALLOWED", "this dashboard answers only its own host", {"host": host}
                ),
            )
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if len(path) > MAX_PATH:
            self._json(414, _error("PATH_TOO_LONG", "the path is too long", {"limit": MAX_PATH}))
            return
        asset = self.server.assets.get(path)
        if asset is not None:
            self._send(200, asset[0], asset[1])
            return
        try:
            status, doc = self.server.answer(path)
        except NotFoundError as exc:
            status, doc = 404, _error(exc.code, exc.message, exc.details)
        self._json(status, doc)

    def _refuse_method(self) -> None:
        self.close_connection = True  # the request body (if any) is never read
        doc = _error(
            "METHOD_NOT_ALLOWED",
            f"the dashboard is read-only: {self.command} is not allowed, only GET",
            {"method": self.command, "allow": ["GET"]},
        )
        self._json(405, doc, {"Allow": "GET", "Connection": "close"})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # POST, PUT, DELETE, PATCH, HEAD, OPTIONS, anything else
            return self._refuse_method
        raise AttributeError(name)
