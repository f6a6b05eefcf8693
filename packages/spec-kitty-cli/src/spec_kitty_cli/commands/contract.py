"""`spec-kitty contract`: check JSON documents against the vendored 3.0.0 contract artifact.

    spec-kitty contract check --surface event envelope.json
    cat batch.json | spec-kitty contract check --surface event_batch - --json
    spec-kitty contract info --json

Exit 0 when the document conforms; exit 2 (operator-fixable) on a violation, an unknown
surface, or a file that cannot be read or is not JSON.
"""

from __future__ import annotations

from typing import Any

import click

from .._lazy import SpecKittyGroup
from .._output import json_option, success


@click.group("contract", cls=SpecKittyGroup)
def contract() -> None:
    """Check documents against the spec-kitty 3.0.0 contract (the gate every upload passes)."""


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # a whole event batch fits


def _read_document(source: str) -> Any:
    import sys

    from spec_kitty_identity import InputRejected, loads_json, read_bounded

    from ..errors import CliError

    name = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", None)  # a text-only stdin (tests, wrappers)
            if stream is None:
                raw = sys.stdin.read(MAX_DOCUMENT_BYTES + 1).encode("utf-8", "surrogateescape")
            else:
                raw = stream.read(MAX_DOCUMENT_BYTES + 1)
        else:
            raw = read_bounded(source, MAX_DOCUMENT_BYTES)
    except (OSError, InputRejected) as exc:
        raise CliError(
            "CONTRACT_INPUT_UNREADABLE",
            f"cannot read {name}: {exc}",
            details={"file": name, "reason": getattr(exc, "reason", type(exc).__name__)},
        ) from None
    try:
        return loads_json(raw, max_bytes=MAX_DOCUMENT_BYTES)
    except InputRejected as exc:
        raise CliError(
            "CONTRACT_INPUT_REJECTED",
            f"{name} {exc.message}",
            details={"file": name, **exc.details},
        ) from None
    except ValueError as exc:
        details = {"file": name, "line": getattr(exc, "lineno", None)}
        details["column"] = getattr(exc, "colno", None)
        raise CliError(
            "CONTRACT_INPUT_INVALID_JSON", f"{name} is not valid JSON: {exc}", details=details
        ) from None


@contract.command("check")
@click.option("--surface", "surface", required=True, help="Surface name, e.g. event, event_batch.")
@click.argument("source", metavar="FILE|-")
@json_option
def check(surface: str, source: str, as_json: bool) -> None:
    """Validate the JSON document in FILE (or stdin with -) for one contract surface."""
    import spec_kitty_gate

    from ..errors import CliError

    name = "<stdin>" if source == "-" else source
    document = _read_document(source)
    try:
        spec_kitty_gate.check(surface, document)
    except spec_kitty_gate.ContractViolation as exc:
        raise CliError(
            exc.code,
            f"{name}: {exc.message}",
            details={"file": name, "surface": surface, "violations": [exc.details]},
        ) from None
    artifact_id = spec_kitty_gate.artifact_info()["artifact_id"]
    data = {"artifact_id": artifact_id, "conformant": True, "file": name, "surface": surface}

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        console().print(
            f"[green]✓[/] {escape(name)} conforms to [bold]{escape(surface)}[/] ({escape(artifact_id)})"
        )

    success(data, as_json=as_json, human=human)


@contract.command("info")
@json_option
def info(as_json: bool) -> None:
    """Show the contract artifact: id, provenance and surfaces."""
    import spec_kitty_gate

    data = spec_kitty_gate.artifact_info()

    def human() -> None:
        from .._output import console

        out = console()
        prov = data["provenance"]
        out.print(f"{data['artifact_id']} (artifact {data['artifact_version']})", markup=False)
        package = prov["events_package"]
        out.print(
            f"  from {package['name']}=={package['version']} @ {prov['events_commit'][:7]}",
            markup=False,
        )
        out.print(
            f"  SaaS wire rules @ {prov['saas_commit']}, plan {prov['spec_kitty_plan_commit']}",
            markup=False,
        )
        out.print("  surfaces: " + ", ".join(data["surfaces"]))

    success(data, as_json=as_json, human=human)
