"""`spec-kitty auth login|status|logout`: the SaaS server URL and bearer token.

Stored in `<user state dir>/credentials.json` with mode 0600; SPEC_KITTY_SERVER_URL and
SPEC_KITTY_TOKEN override it. The token is never printed.
"""

from __future__ import annotations

import sys

import click

from .._lazy import SpecKittyGroup
from .._output import json_option, success
from ..errors import CliError


@click.group("auth", cls=SpecKittyGroup)
def auth() -> None:
    """Store, show or remove the SaaS server URL and token."""


@auth.command("login")
@click.option("--server", "server_url", required=True, help="SaaS base URL (http or https).")
@click.option(
    "--token-stdin", is_flag=True, help="Read the token from stdin (for scripts and agents)."
)
@json_option
def login(server_url: str, token_stdin: bool, as_json: bool) -> None:
    """Save the server URL and token (file mode 0600; the token is never printed)."""
    from spec_kitty_bodysync.delivery import normalize_server_url, validate_token, write_credentials

    url = normalize_server_url(server_url)
    if token_stdin:
        token = sys.stdin.read()
    elif sys.stdin.isatty():
        token = click.prompt("Token", hide_input=True)
    else:
        raise CliError(
            "AUTH_TOKEN_REQUIRED",
            "no token given: pipe it in with --token-stdin",
            details={
                "hint": 'printf %s "$TOKEN" | spec-kitty auth login --server URL --token-stdin'
            },
        )
    path = write_credentials(url, validate_token(token))
    data = {"server_url": url, "token_set": True, "credentials_file": str(path)}

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        console().print(
            f"[green]✓[/] Logged in to {escape(url)} (token stored in {escape(str(path))})"
        )

    success(data, as_json=as_json, human=human)


@auth.command("status")
@json_option
def status(as_json: bool) -> None:
    """Show the server URL, whether a token is set, and where each comes from."""
    from spec_kitty_bodysync.delivery import server_settings

    data = server_settings()

    def human() -> None:
        from .._output import console

        out = console()
        server, token = data["server_url"] or "not configured", data["token_set"]
        out.print(f"server: {server} ({data['server_source']})", markup=False)
        out.print(f"token:  {'set' if token else 'not set'} ({data['token_source']})", markup=False)

    success(data, as_json=as_json, human=human)


@auth.command("logout")
@json_option
def logout(as_json: bool) -> None:
    """Delete the stored credentials (environment variables still apply)."""
    import os

    from spec_kitty_bodysync.delivery import (
        SERVER_ENV,
        TOKEN_ENV,
        credentials_path,
        delete_credentials,
    )

    removed = delete_credentials()
    env = [name for name in (SERVER_ENV, TOKEN_ENV) if os.environ.get(name)]
    data = {"removed": removed, "credentials_file": str(credentials_path()), "env_still_set": env}

    def human() -> None:
        from .._output import console

        out = console()
        out.print("[green]✓[/] Logged out" if removed else "No stored credentials")
        if env:
            out.print(f"  still set in the environment: {', '.join(env)}", markup=False)

    success(data, as_json=as_json, human=human)
