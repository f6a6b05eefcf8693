"""Doctor's server check: the configured SaaS URL must be https, or http on a loopback host."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ._model import Report

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server(report: Report) -> None:
    from .._auth import server_settings

    try:
        settings = server_settings()
    except Exception as exc:
        report.add_error(
            "server", exc, "fix or remove the credentials file (`spec-kitty auth logout`)"
        )
        return
    url = settings.get("server_url")
    report.checks["server"] = {"server_url": url, "source": settings.get("server_source")}
    if not url:
        return
    fix = "use an https:// URL (`spec-kitty auth login --server https://...`)"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        report.add("server", "SERVER_URL_INVALID", f"{url!r} is not a valid URL", fix, url=url)
        return
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host and is_loopback(host):
        return
    code = "SERVER_URL_INSECURE" if parts.scheme == "http" else "SERVER_URL_INVALID"
    report.add(
        "server",
        code,
        f"the server URL {url} would send the token in clear text"
        if code == "SERVER_URL_INSECURE"
        else f"the server URL {url!r} is not an http(s) URL with a host",
        fix,
        url=url,
        source=settings.get("server_source"),
    )
