"""`spec-kitty dashboard [--host H] [--port N] [--open] [--json]`: the live local web view."""

from __future__ import annotations

import sys

import click

from .._output import json_option, success
from ..errors import CliError

HOST_ENV = "SPEC_KITTY_DASHBOARD_HOST"
PORT_ENV = "SPEC_KITTY_DASHBOARD_PORT"


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@click.command("dashboard")
@click.option(
    "--host",
    envvar=HOST_ENV,
    default="127.0.0.1",
    show_default=True,
    help=f"Address to listen on [env {HOST_ENV}]. Anything but loopback exposes your missions "
    "to the network and prints a warning.",
)
@click.option(
    "--port",
    envvar=PORT_ENV,
    type=click.IntRange(0, 65535),
    default=9237,
    show_default=True,
    help=f"Port [env {PORT_ENV}]; 0, or a port already taken, picks a free one.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in your web browser.")
@json_option
def dashboard(host: str, port: int, open_browser: bool, as_json: bool) -> None:
    """Serve a live, read-only web view of this project until Ctrl-C, and print its URL.

    The page shows every mission with a bar of its work packages by lane, the board of a mission
    (the 3.0.0 lanes; each card with its dependencies met or not, who holds it, how long it has
    been in its lane and why it is blocked; click a card for its full history), the run's
    progress, a plot of work packages by lane over time, the sync queues and server URL (never
    the token) and the identity. Changes made by any process appear within 2 seconds.

    Safe by default: it listens on 127.0.0.1 only, answers GET only (405 otherwise), escapes
    every value, sends a strict Content-Security-Policy and loads nothing from the internet.
    The JSON endpoints (listed in docs/dashboard.md) return the same records as the CLI's --json.

    With --json it prints the registry the page uses (missions, lane counts, run state,
    endpoints) as one JSON object and exits without serving.
    """
    from .._project import checkout_root, main_repo_root
    from ..dashboard import DashboardData, bind, is_loopback

    checkout = checkout_root()
    data = DashboardData(main_repo_root(checkout), checkout)
    if as_json:
        registry = data.registry()
        registry.pop("result")
        success(registry, as_json=True, human=lambda: None)
        return
    if not host.strip():
        raise CliError("DASHBOARD_HOST_INVALID", "--host is empty", details={"host": host})
    try:
        server, moved = bind(host, port, data, log=_err)
    except OSError as exc:
        raise CliError(
            "DASHBOARD_BIND_FAILED",
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another --host/--port",
            details={"host": host, "port": port, "errno": exc.errno},
            operator_fixable=True,
        ) from exc
    if moved:
        _err(f"port {port} is taken; using {server.server_address[1]} instead")
    if not is_loopback(host):
        _err(
            f"warning: listening on {host}, not loopback: anyone who can reach this machine can "
            "read your missions, WP titles and sync state (read-only, never the token)"
        )
    import threading

    threading.Thread(target=data.warm, name="dashboard-warm", daemon=True).start()
    click.echo(f"spec-kitty dashboard: {server.url}  (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        _err("stopped")
    finally:
        server.server_close()
