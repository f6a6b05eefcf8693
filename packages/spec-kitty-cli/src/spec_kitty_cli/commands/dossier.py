"""`spec-kitty dossier show --mission M [--json]`: a mission's artifact dossier, read-only."""

from __future__ import annotations

from typing import Any

import click

from .._output import json_option, success


@click.group("dossier")
def dossier() -> None:
    """Inspect the mission dossier: indexed artifacts, their hashes and sync states."""


@dossier.command("show")
@click.option(
    "--mission",
    required=True,
    envvar="SPEC_KITTY_MISSION",
    metavar="MISSION",
    help="Mission slug, mission_id or unambiguous mission_id prefix [env: SPEC_KITTY_MISSION].",
)
@json_option
def show(mission: str, as_json: bool) -> None:
    """List each artifact of a mission's dossier as last indexed.

    For every artifact: path, artifact class (input, workflow, output, evidence, policy,
    runtime), sha256, size, the state of its index event (logged, queued, accepted, rejected,
    superseded) and of its body (waiting_for_index, ready, pending, delivered, dead_letter,
    parked), and whether the file changed since it was indexed. Then the required artifacts
    reported missing, and per namespace the snapshot hash, parity (clean, drifted, unknown)
    and drift. Read-only: `spec-kitty sync now` (or `sync bodies`, `agent mission create`,
    `agent tasks finalize`) re-indexes.
    """
    from spec_kitty_identity import main_root_of, resolve_mission

    from .._project import checkout_root
    from ..dossier import dossier_detail

    root = checkout_root()
    ref = resolve_mission(main_root_of(root), mission)
    data = dossier_detail(root, ref)

    def human() -> None:
        _render(data)

    success(data, as_json=as_json, human=human)


def _render(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .._output import console

    out = console()
    if not data["indexed"]:
        out.print(
            f"{escape(data['mission_slug'])}: not indexed yet (run `spec-kitty sync now` or "
            "`spec-kitty sync bodies`)"
        )
        return
    for ns in data["namespaces"]:
        drift = ns["drift"]
        state = str(ns["parity"]) + (f", drift: {drift['kind']}" if drift else "")
        out.print(
            f"[bold]{escape(ns['mission_slug'])}[/] snapshot "
            f"{escape(str(ns['snapshot_hash']))} ({escape(state)})"
        )
    table = Table()
    for name in ("path", "class", "sha256", "size", "index", "body"):
        table.add_column(name, overflow="fold")
    for art in data["artifacts"]:
        mark = " (modified)" if art["modified_since_index"] else ""
        table.add_row(
            escape(art["artifact_path"]) + mark,
            art["artifact_class"],
            art["content_hash"][:10],
            str(art["size_bytes"]),
            art["index_state"],
            art["body_state"],
        )
    out.print(table)
    for miss in data["missing"]:
        out.print(f"missing: {escape(miss['artifact_path'])} ({escape(miss['reason'])})")
