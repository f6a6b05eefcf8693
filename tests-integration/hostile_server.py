"""A hostile SaaS on 127.0.0.1: answers that are huge, slow, compressed bombs, wrongly typed,
out of range, or redirects. Raw sockets, so it can do what a polite HTTP server library would not.

    with HostileServer() as srv:
        srv.answer = drip(interval=0.4)          # every request gets this answer
        ... srv.url, srv.requests (method, path, headers of each request seen)

Loopback only; every loop is bounded (bytes sent, drip count, request size, accept timeout).
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

Answer = Callable[[socket.socket], None]
MAX_REQUEST = 16 * 1024 * 1024


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode()


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    data = json.dumps(body).encode()

    def send(conn: socket.socket) -> None:
        head = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        conn.sendall(_head(status, {**head, **(headers or {})}) + data)

    return send


def huge(total: int = 200 * 1024 * 1024, *, declare_length: bool) -> Answer:
    """A 200 of ``total`` bytes of JSON-looking filler, streamed until the client hangs up."""

    def send(conn: socket.socket) -> None:
        head = {"Content-Type": "application/json"}
        if declare_length:
            head["Content-Length"] = str(total)
        conn.sendall(_head(200, head))
        chunk = b" " * 65536
        for _ in range(total // len(chunk)):  # bounded by total
            conn.sendall(chunk)

    return send


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(inflated: int = 400 * 1024 * 1024) -> Answer:
    """A gzip answer of ~400 KB that inflates to ``inflated`` bytes of zeros."""
    if inflated not in _BOMBS:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = b"0" * (1024 * 1024)
        parts = [packer.compress(block) for _ in range(inflated // len(block))]
        _BOMBS[inflated] = b"".join(parts) + packer.flush()
    data = _BOMBS[inflated]

    def send(conn: socket.socket) -> None:
        head = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Content-Length": str(len(data)),
        }
        conn.sendall(_head(200, head) + data)

    return send


def gzip_json(status: int, body: Any) -> Answer:
    data = gzip.compress(json.dumps(body).encode())

    def send(conn: socket.socket) -> None:
        head = {"Content-Encoding": "gzip", "Content-Length": str(len(data))}
        conn.sendall(_head(status, head) + data)

    return send


def drip(interval: float = 0.4, count: int = 300, *, in_headers: bool = False) -> Answer:
    """One byte every ``interval`` seconds: of the body, or of the status line and headers."""

    def send(conn: socket.socket) -> None:
        payload = _head(200, {"Content-Length": str(count)})
        if not in_headers:
            conn.sendall(payload)
            payload = b" " * count
        for byte in payload[:count]:  # bounded
            conn.sendall(bytes([byte]))
            time.sleep(interval)

    return send


def redirect(status: int, location: str) -> Answer:
    def send(conn: socket.socket) -> None:
        conn.sendall(_head(status, {"Location": location, "Content-Length": "0"}))

    return send


class HostileServer:
    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.answer: Answer = json_answer(404, {"error": "no answer set"})
        self.requests: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            with conn:
                request = self._read(conn)
                if request is None:
                    return
                self.requests.append(request)
                self.answer(conn)
        except OSError:
            pass  # the client hung up: that is what a bounded client should do

    @staticmethod
    def _read(conn: socket.socket) -> dict[str, Any] | None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = [*lines[0].split(" "), "", "", ""][:3]
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        length = min(int(headers.get("content-length", "0") or 0), MAX_REQUEST)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return {"method": method, "path": path, "headers": headers, "body_bytes": len(body)}
