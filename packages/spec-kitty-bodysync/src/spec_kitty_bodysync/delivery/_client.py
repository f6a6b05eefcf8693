"""HttpClient: the one HTTP transport (httpx) for everything spec-kitty sends to the SaaS.

What it guarantees for every request, whatever the server does:

- the bearer token goes only over https, or plain http to a loopback host (checked before each
  request: SERVER_URL_INSECURE);
- redirects are never followed: a 3xx is RedirectRefusedError (the token never reaches another
  origin, or even another path, of the server's choosing);
- the whole request (connect, send, every read of the answer) ends within ``settings.timeout``
  and within the caller's ``deadline``: the time left is re-checked before every socket read, so
  a server dripping one byte at a time cannot stretch it (DeadlineExceededError when the run's
  deadline was the binding limit, ServerUnreachableError for a per-request timeout);
- the answer is read as a stream and decoded here with a bounded inflater: more than
  ``settings.max_answer_bytes`` after decompression is AnswerTooLargeError, and no more than that
  (plus one socket read) is ever held in memory; only ``gzip``/``deflate``/``identity`` are
  accepted (AnswerInvalidError otherwise).

httpx is imported when the first client is built, never at module import.
"""

from __future__ import annotations

import json
import math
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    AnswerInvalidError,
    AnswerTooLargeError,
    DeadlineExceededError,
    RedirectRefusedError,
    ServerUnreachableError,
)
from ._backoff import parse_retry_after
from ._credentials import require_secure_url
from ._settings import DeliverySettings

__all__ = ["HttpClient", "Reply"]

_DECODERS = {"gzip": 31, "x-gzip": 31, "deflate": 15}  # zlib wbits


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A complete, bounded, decoded answer (any status but 3xx)."""

    status: int
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON (or nested too deep to parse)."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    def text(self, limit: int = 300) -> str:
        return self.body[: limit * 4].decode("utf-8", "replace")[:limit].strip()

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class _Budget:
    """The absolute monotonic time by which the current request must be over."""

    def __init__(self) -> None:
        self.at = math.inf

    def bound(self, timeout: float | None) -> float:
        import httpcore

        left = self.at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the request's time budget is spent")
        return left if timeout is None else min(timeout, left)


def _pool(budget: _Budget, *, https: bool) -> Any:
    """An httpcore pool whose every socket operation is bounded by ``budget``."""
    import socket

    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, budget.bound(timeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, budget.bound(timeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            kwargs["timeout"] = budget.bound(kwargs.get("timeout"))
            return Stream(self._inner.start_tls(*args, **kwargs))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.SyncBackend()

        def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            kwargs["timeout"] = budget.bound(kwargs.get("timeout"))
            return Stream(self._inner.connect_tcp(*args, **kwargs))

        def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            kwargs["timeout"] = budget.bound(kwargs.get("timeout"))  # pragma: no cover
            return Stream(self._inner.connect_unix_socket(*args, **kwargs))  # pragma: no cover

        def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries only
            self._inner.sleep(seconds)

    # TCP_NODELAY: headers and body leave in two writes; without it Nagle and the peer's
    # delayed ACK add ~40 ms to every request on a keep-alive connection.
    return httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context() if https else None,
        max_connections=4,
        max_keepalive_connections=2,
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        network_backend=Backend(),
    )


def _origin(url: Any) -> str:
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")


class HttpClient:
    """POSTs to ``server_url`` with the bearer token under the limits of ``settings``."""

    def __init__(
        self,
        server_url: str,
        token: str,
        settings: DeliverySettings,
        *,
        user_agent: str = "spec-kitty",
    ) -> None:
        self.base = server_url.rstrip("/")
        self.settings = settings
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "User-Agent": user_agent,
        }
        self._budget = _Budget()
        self._client: Any = None

    def _http(self) -> Any:
        if self._client is None:
            import httpx

            class Transport(httpx.HTTPTransport):
                # httpx's own __init__ would build a second pool without the time budget.
                def __init__(self, pool: Any) -> None:
                    self._pool = pool

            pool = _pool(self._budget, https=self.base.startswith("https:"))
            self._client = httpx.Client(
                transport=Transport(pool),
                timeout=httpx.Timeout(self.settings.timeout),
                follow_redirects=False,
                trust_env=False,
                headers=self._headers,
            )
        return self._client

    def post(
        self,
        path: str,
        content: bytes,
        *,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> Reply:
        """POST ``content`` to ``base + path``; the whole exchange ends by ``deadline``.

        ``deadline`` is an absolute ``time.monotonic()`` value (None: only ``settings.timeout``
        bounds the request). Raises the DeliveryError subclasses of the module doc.
        """
        import httpx

        url = self.base + path
        require_secure_url(url)
        client = self._http()  # imports and builds first: that time is not the server's
        request = client.build_request("POST", url, content=content, headers=headers)
        started = time.monotonic()
        own = started + self.settings.timeout
        run_bound = deadline is not None and deadline < own
        self._budget.at = min(own, deadline) if deadline is not None else own
        try:
            response = client.send(request, stream=True)
            try:
                return self._read(response, url)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            waited = time.monotonic() - started
            if run_bound and time.monotonic() >= self._budget.at - 0.05:
                raise DeadlineExceededError(
                    f"the sync deadline passed during POST {url} (after {waited:.1f}s)",
                    details={"url": url, "waited_seconds": round(waited, 3)},
                ) from exc
            raise ServerUnreachableError(
                f"{type(exc).__name__}: no complete answer within {waited:.1f}s (POST {url})",
                details={"url": url, "reason": type(exc).__name__},
            ) from exc
        except httpx.TransportError as exc:
            text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise ServerUnreachableError(
                f"{text} (POST {url})", details={"url": url, "reason": type(exc).__name__}
            ) from exc
        finally:
            self._budget.at = math.inf

    def _read(self, response: Any, url: str) -> Reply:
        if 300 <= response.status_code < 400:
            location = response.headers.get("location", "")[:500]
            target = response.url.join(location) if location else None
            same = target is not None and _origin(target) == _origin(response.url)
            raise RedirectRefusedError(
                f"the server answered HTTP {response.status_code} (redirect) to POST {url}; "
                "redirects are not followed with the token: set the server URL to the final "
                "address (`spec-kitty auth login --server URL`)",
                details={
                    "url": url,
                    "status": response.status_code,
                    "location_origin": None if target is None else _origin(target),
                    "same_origin": same,
                },
            )
        headers = {k.lower(): v[:1000] for k, v in response.headers.items()}
        body = _bounded_body(response, url, self.settings.max_answer_bytes)
        return Reply(status=response.status_code, url=url, body=body, headers=headers)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bounded_body(response: Any, url: str, cap: int) -> bytes:
    """The decoded body, refusing more than ``cap`` bytes before or after decompression."""
    codings = [
        c.strip()
        for c in response.headers.get("content-encoding", "").lower().split(",")
        if c.strip() not in ("", "identity")
    ]
    if len(codings) > 1 or (codings and codings[0] not in _DECODERS):
        raise AnswerInvalidError(
            f"the answer to POST {url} uses an unsupported Content-Encoding",
            details={"url": url, "content_encoding": ",".join(codings)[:100]},
        )
    inflater = zlib.decompressobj(_DECODERS[codings[0]]) if codings else None
    out = bytearray()
    raw = 0

    def too_large() -> AnswerTooLargeError:
        return AnswerTooLargeError(
            f"the answer to POST {url} is larger than {cap} bytes; reading stopped there",
            details={"url": url, "limit_bytes": cap, "status": response.status_code},
        )

    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_large()
    try:
        for chunk in response.iter_raw():
            raw += len(chunk)
            if raw > cap:
                raise too_large()
            if inflater is None:
                out += chunk
                continue
            data = chunk
            while data and not inflater.eof:
                out += inflater.decompress(data, cap + 1 - len(out))
                if len(out) > cap:
                    raise too_large()
                data = inflater.unconsumed_tail
        if inflater is not None:
            out += inflater.flush()
    except zlib.error as exc:
        raise AnswerInvalidError(
            f"the answer to POST {url} is not valid {codings[0]} data",
            details={"url": url, "content_encoding": codings[0]},
        ) from exc
    if len(out) > cap:
        raise too_large()
    return bytes(out)
