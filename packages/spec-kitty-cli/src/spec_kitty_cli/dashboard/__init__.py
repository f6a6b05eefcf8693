"""`spec-kitty dashboard`: a live, read-only local web view of missions, boards, runs and sync.

Public API::

    DashboardData(root, checkout)       the records behind every endpoint (same as the CLI --json)
    DashboardServer                     the read-only ThreadingHTTPServer
    bind(host, port, data, log=)        a server on host:port, or on a free port when it is taken
    is_loopback(host)                   True for 127.0.0.0/8, ::1 and localhost
    ENDPOINTS, CSP, DEFAULT_HOST, DEFAULT_PORT

This package never prints or exits; `commands/dashboard.py` is its edge.
"""

from __future__ import annotations

import errno
import ipaddress
from collections.abc import Callable

from ._data import ENDPOINTS, DashboardData
from ._server import CSP, DashboardServer

__all__ = [
    "CSP",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ENDPOINTS",
    "DashboardData",
    "DashboardServer",
    "bind",
    "is_loopback",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9237


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(
    host: str, port: int, data: DashboardData, *, log: Callable[[str], None] | None = None
) -> tuple[DashboardServer, bool]:
    """A bound server and whether it had to pick another port (``port`` 0 always picks one)."""
    host = host.strip("[]")
    try:
        return DashboardServer((host, port), data, log=log), False
    except OSError as exc:
        if port == 0 or exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
    return DashboardServer((host, 0), data, log=log), True
