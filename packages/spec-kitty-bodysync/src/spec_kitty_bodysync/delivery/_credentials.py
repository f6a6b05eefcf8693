"""The SaaS server URL and bearer token: the one place both queues (and `auth`) read them.

Sources, first match wins per value:

1. ``SPEC_KITTY_SERVER_URL`` / ``SPEC_KITTY_TOKEN`` (environment),
2. ``<user_state_dir()>/credentials.json`` written by `spec-kitty auth login` (mode 0600)::

       {"server_url": "https://…", "token": "…", "saved_at": "…"}

The token is never printed, logged or put into an error message. Only http(s) URLs without
user info, query or fragment are accepted; a trailing slash is dropped. Plain ``http://`` is
accepted only for a loopback host (``localhost``, 127.0.0.0/8, ``::1``): anything else would
send the bearer token in clear text (SERVER_URL_INSECURE, refused here at configuration and
again by the HTTP client at send time).
"""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import SettingsError

CREDENTIALS_FILE = "credentials.json"
SERVER_ENV = "SPEC_KITTY_SERVER_URL"
TOKEN_ENV = "SPEC_KITTY_TOKEN"  # noqa: S105 - the variable name, not a secret
MAX_TOKEN_CHARS = 8192
MAX_URL_CHARS = 2048

__all__ = [
    "SERVER_ENV",
    "TOKEN_ENV",
    "credentials_path",
    "delete_credentials",
    "is_loopback_host",
    "normalize_server_url",
    "read_credentials",
    "require_secure_url",
    "resolve_server",
    "server_settings",
    "validate_token",
    "write_credentials",
]


def credentials_path() -> Path:
    from spec_kitty_identity import user_state_dir

    return user_state_dir() / CREDENTIALS_FILE


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    import ipaddress

    if not host:
        return False
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str) -> None:
    """SERVER_URL_INSECURE unless ``url`` is https, or http to a loopback host."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and (
        parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(host))
    ):
        return
    raise SettingsError(
        f"refusing to send the token to {url!r}: plain http:// is allowed only for a loopback "
        "host (localhost, 127.0.0.1, ::1); use https://",
        code="SERVER_URL_INSECURE",
        details={"url": url, "host": host, "hint": "use an https:// server URL"},
    )


def normalize_server_url(url: str) -> str:
    """Validate a server URL (https, or http to loopback; a host; no user info/query/fragment).

    Returns it without the trailing '/'. SERVER_URL_INVALID or SERVER_URL_INSECURE otherwise.
    """
    from urllib.parse import urlsplit

    text = url.strip()
    if len(text) > MAX_URL_CHARS or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise SettingsError(
            f"invalid server URL: longer than {MAX_URL_CHARS} characters or has control characters",
            code="SERVER_URL_INVALID",
            details={"url": text[:200]},
        )
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = None, False
    problem = None
    if parts is None or not port_ok:
        problem = "not a valid URL"
    elif parts.scheme not in ("http", "https"):
        problem = "only http:// and https:// server URLs are accepted"
    elif not parts.hostname:
        problem = "the URL has no host"
    elif parts.username is not None or parts.password is not None:
        problem = "the URL must not carry user info; pass the token with --token-stdin"
    elif parts.query or parts.fragment:
        problem = "the URL must not have a query or fragment"
    if problem is not None:
        raise SettingsError(
            f"invalid server URL {text!r}: {problem}",
            code="SERVER_URL_INVALID",
            details={"url": text},
        )
    require_secure_url(text)
    return text.rstrip("/")


def validate_token(token: str) -> str:
    text = token.strip()
    if not text:
        raise SettingsError("the token is empty", code="AUTH_TOKEN_EMPTY", details={})
    if len(text) > MAX_TOKEN_CHARS or any(
        ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or not ch.isascii() for ch in text
    ):
        raise SettingsError(
            f"the token contains whitespace, control or non-ASCII characters, or is longer "
            f"than {MAX_TOKEN_CHARS} characters",
            code="AUTH_TOKEN_INVALID",
            details={"length": len(text)},
        )
    return text


def read_credentials() -> dict[str, Any] | None:
    """The stored credentials, or None. Refuses a file other users can read."""
    path = credentials_path()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(
            f"{path} is readable by other users; run `chmod 600 {path}` or `spec-kitty auth "
            "login` again",
            code="CREDENTIALS_INSECURE",
            details={"file": str(path), "mode": oct(stat.S_IMODE(mode))},
        )
    try:
        if path.stat().st_size > 64 * 1024:
            raise ValueError("larger than 64 KiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise SettingsError(
            f"{path} is not valid JSON; run `spec-kitty auth login` again",
            code="CREDENTIALS_DAMAGED",
            details={"file": str(path), "reason": type(exc).__name__},
        ) from exc
    if not isinstance(data, dict):
        raise SettingsError(
            f"{path} must hold a JSON object; run `spec-kitty auth login` again",
            code="CREDENTIALS_DAMAGED",
            details={"file": str(path)},
        )
    return data


def write_credentials(server_url: str, token: str) -> Path:
    """Store URL and token atomically; the file is created with mode 0600 (never wider)."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "server_url": normalize_server_url(server_url),
        "token": validate_token(token),
        "saved_at": datetime.now(UTC).isoformat(),
    }
    from spec_kitty_identity import atomic_write_text

    atomic_write_text(path, json.dumps(doc, indent=2, sort_keys=True) + "\n", mode=0o600)
    return path


def delete_credentials() -> bool:
    """Remove the stored credentials; True when a file was removed."""
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        return False
    return True


def server_settings() -> dict[str, Any]:
    """Where the URL and token come from, without revealing the token."""
    stored = read_credentials() or {}
    env_url, env_token = os.environ.get(SERVER_ENV), os.environ.get(TOKEN_ENV)
    url = env_url or stored.get("server_url")
    token = env_token or stored.get("token")
    return {
        "server_url": url if isinstance(url, str) and url else None,
        "server_source": "env" if env_url else ("credentials" if url else None),
        "token_set": isinstance(token, str) and bool(token),
        "token_source": "env" if env_token else ("credentials" if token else None),
        "credentials_file": str(credentials_path()),
    }


def resolve_server() -> tuple[str, str]:
    """(server_url, token) for the SaaS; SettingsError SYNC_NOT_CONFIGURED when either is absent."""
    stored = read_credentials() or {}
    url = os.environ.get(SERVER_ENV) or stored.get("server_url")
    token = os.environ.get(TOKEN_ENV) or stored.get("token")
    if not isinstance(url, str) or not url or not isinstance(token, str) or not token:
        missing = [
            name
            for name, value in (("server_url", url), ("token", token))
            if not isinstance(value, str) or not value
        ]
        raise SettingsError(
            "no SaaS server configured: run `spec-kitty auth login --server URL --token-stdin` "
            f"or set {SERVER_ENV} and {TOKEN_ENV}",
            code="SYNC_NOT_CONFIGURED",
            details={"missing": missing, "hint": "spec-kitty auth login"},
        )
    return normalize_server_url(url), validate_token(token)
