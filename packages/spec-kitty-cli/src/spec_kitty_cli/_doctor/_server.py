"""Doctor's server check: the configured SaaS URL must be https, or http on a loopback host.

The rule is the delivery mechanism's own (``spec_kitty_bodysync.delivery``), so doctor reports
exactly what `sync` would refuse, before a token is ever sent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ._model import Report

FIX = "use an https:// URL (`spec-kitty auth login --server https://...`)"


def check_server(report: Report) -> None:
    from spec_kitty_bodysync.delivery import is_loopback_host, server_settings

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
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is not None and host:
        if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(host)):
            return
        if parts.scheme == "http":
            report.add(
                "server",
                "SERVER_URL_INSECURE",
                f"the server URL {url} would send the token in clear text",
                FIX,
                url=url,
                source=settings.get("server_source"),
            )
            return
    report.add(
        "server",
        "SERVER_URL_INVALID",
        f"the server URL {url!r} is not an http(s) URL with a host",
        FIX,
        url=url,
        source=settings.get("server_source"),
    )
