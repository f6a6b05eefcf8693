"""`spec-kitty identity show`: the project, build and node identity of this checkout."""

from __future__ import annotations

import click

from .._lazy import SpecKittyGroup
from .._output import json_option, success


@click.group("identity", cls=SpecKittyGroup)
def identity() -> None:
    """Inspect the identity spec-kitty stamps on every event."""


@identity.command("show")
@json_option
def show(as_json: bool) -> None:
    """Show the project (shared), build (this checkout) and node (this user) identity.

    Reading identity never changes a tracked file: the build id lives in the checkout's
    untracked .kittify/state/ and the node id in the per-user state folder.
    """
    from spec_kitty_identity import load_project_identity

    from .._project import checkout_root

    root = checkout_root()
    ident = load_project_identity(root)
    data = {"checkout_root": str(root), **ident.as_sections()}

    def human() -> None:
        from rich.table import Table

        from .._output import console

        table = Table(title="spec-kitty identity", show_header=True)
        table.add_column("section")
        table.add_column("key")
        table.add_column("value")
        for section, values in ident.as_sections().items():
            for key, value in values.items():
                table.add_row(section, key, "—" if value is None else str(value))
        console().print(table)

    success(data, as_json=as_json, human=human)
