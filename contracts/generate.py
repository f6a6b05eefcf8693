"""Build spec-kitty's machine-readable contract artifact (contracts/contract.json).

Inputs:
  (a) the installed spec-kitty-events==3.0.0 package: its cutover artifact
      (``spec_kitty_events.cutover.load_cutover_artifact()``), the JSON schema of the Event
      envelope and of every payload type it ships a schema for, and its event-type -> schema map;
  (b) spec-kitty's own record of the SaaS wire rules of the plan-time era
      (contracts/saas-wire-rules.json).

The output is deterministic (sorted keys, indent 2, trailing newline) and records provenance: the
package name and version, the events commit, and the sha256 of every input. It is written to
contracts/contract.json and, byte-identical, to the spec-kitty-gate package data.

    python contracts/generate.py           # (re)write both copies
    python contracts/generate.py --check   # regenerate in memory, exit 1 on any drift
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib.metadata
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WIRE_RULES = HERE / "saas-wire-rules.json"
OUTPUTS = (
    HERE / "contract.json",
    ROOT / "packages" / "spec-kitty-gate" / "src" / "spec_kitty_gate" / "contract.json",
)
EVENTS_DIST = "spec-kitty-events"
EVENTS_VERSION = "3.0.0"
ARTIFACT_VERSION = "1.0.0"
ENVELOPE_SCHEMA = "event"
LANE_SCHEMA = "lane"


class GenerationError(RuntimeError):
    """The inputs are not the ones this artifact is pinned to, or contradict each other."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _union(*lists: list[str]) -> list[str]:
    return sorted({item for items in lists for item in items})


def _camel(schema_name: str) -> str:
    return "".join(part.capitalize() for part in schema_name.removesuffix("_payload").split("_"))


def _strip_comments(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_comments(v) for k, v in node.items() if k != "$comment"}
    if isinstance(node, list):
        return [_strip_comments(v) for v in node]
    return node


def _load_library() -> tuple[dict[str, Any], dict[str, str], dict[str, Any], dict[str, str]]:
    """Return (cutover, event_type -> schema name, schemas by name, input sha256s)."""
    installed = importlib.metadata.version(EVENTS_DIST)
    if installed != EVENTS_VERSION:
        raise GenerationError(f"{EVENTS_DIST}=={EVENTS_VERSION} is required, found {installed}")
    import spec_kitty_events
    from spec_kitty_events.conformance import validators
    from spec_kitty_events.cutover import load_cutover_artifact
    from spec_kitty_events.schemas import list_schemas, load_schema, schema_path

    cutover = load_cutover_artifact().model_dump(mode="json")
    mapping = {k: v for k, v in validators._EVENT_TYPE_TO_SCHEMA.items() if k != "Event"}
    # Payload schemas the package ships but validate_event does not map: bound to the event
    # type whose name the package exports as a constant (e.g. UserConnected).
    exported = {v for v in vars(spec_kitty_events).values() if isinstance(v, str)}
    for name in list_schemas():
        if name.endswith("_payload") and name not in mapping.values():
            event_type = _camel(name)
            if event_type not in exported:
                raise GenerationError(f"cannot bind schema {name!r} to an event type")
            mapping[event_type] = name
    names = sorted({ENVELOPE_SCHEMA, LANE_SCHEMA, *mapping.values()})
    schemas = {name: load_schema(name) for name in names}
    hashes = {
        f"{EVENTS_DIST}:spec_kitty_events/schemas/{name}.schema.json": _sha256(
            schema_path(name).read_bytes()
        )
        for name in names
    }
    hashes[f"{EVENTS_DIST}:spec_kitty_events.cutover.load_cutover_artifact()"] = _sha256(
        _canonical(cutover)
    )
    hashes[f"{EVENTS_DIST}:spec_kitty_events.conformance.validators._EVENT_TYPE_TO_SCHEMA"] = (
        _sha256(_canonical(dict(validators._EVENT_TYPE_TO_SCHEMA)))
    )
    return cutover, dict(sorted(mapping.items())), schemas, hashes


class _Deriver:
    """Replaces ``{"$derive": NAME}`` nodes of the wire rules with computed values."""

    def __init__(self, values: dict[str, Any], schemas: dict[str, Any]) -> None:
        self.values = values
        self.schemas = schemas

    def __call__(self, node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"$derive"}:
                name = node["$derive"]
                if name.startswith("library:"):
                    schema = copy.deepcopy(self.schemas[name.removeprefix("library:")])
                    return {k: v for k, v in schema.items() if k not in ("$id", "$schema")}
                if name not in self.values:
                    raise GenerationError(f"unknown $derive {name!r}")
                return copy.deepcopy(self.values[name])
            return {k: self(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self(v) for v in node]
        return node


def _tighten(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Both constraints at once: merged when no keyword is shared, else allOf."""
    if set(base) & set(extra):
        return {"allOf": [base, extra]}
    return {**base, **extra}


def _envelope_schema(library: dict[str, Any], wire: dict[str, Any], cutover: dict[str, Any]) -> Any:
    env = wire["envelope"]
    props = copy.deepcopy(library["properties"])
    for name, extra in env["tightened_properties"].items():
        props[name] = _tighten(props[name], extra)
    for name, extra in env["extra_properties"].items():
        if name in props:
            raise GenerationError(f"wire envelope key {name!r} is already a library field")
        props[name] = extra
    signal = cutover["signal_field_name"]
    props[signal] = _tighten(props[signal], {"const": cutover["cutover_contract_version"]})
    unknown = set(env["optional_fields"]) - set(props)
    if unknown:
        raise GenerationError(f"optional envelope fields without a schema: {sorted(unknown)}")
    required = list(dict.fromkeys([*library["required"], *env["required_fields"], signal]))
    return {
        "additionalProperties": False,
        "properties": props,
        "required": required,
        "type": "object",
    }


def build() -> str:
    """Return the artifact text."""
    cutover, event_types, schemas, hashes = _load_library()
    raw = WIRE_RULES.read_bytes()
    hashes["spec-kitty:contracts/saas-wire-rules.json"] = _sha256(raw)
    hashes["spec-kitty:contracts/generate.py"] = _sha256(Path(__file__).read_bytes())
    wire = _strip_comments(json.loads(raw))
    era = wire["era"]
    if era["events_version"] != EVENTS_VERSION or cutover["release_version"] != EVENTS_VERSION:
        raise GenerationError("wire rules and package disagree on the events release")

    deny = {
        "aggregate_id_roots": _union(
            cutover["forbidden_legacy_aggregate_names"], wire["deny"]["aggregate_id_roots"]
        ),
        "aggregate_types": _union(wire["deny"]["aggregate_types"]),
        "cli_flags": _union(wire["deny"]["cli_flags"]),
        "event_types": _union(cutover["forbidden_legacy_event_names"], wire["deny"]["event_types"]),
        "keys": _union(cutover["forbidden_legacy_keys"], wire["deny"]["keys"]),
        "orchestrator_commands": _union(wire["deny"]["orchestrator_commands"]),
        "orchestrator_error_codes": _union(wire["deny"]["orchestrator_error_codes"]),
    }

    orch = wire["orchestrator_api"]
    prefix = orch["command_prefix"]
    mission_commands = sorted(
        c for c, flags in orch["commands"].items() if orch["mission_flag"] in flags
    )
    error_codes = _union(orch["error_codes"]["plan_time"], orch["error_codes"]["product_additions"])
    if set(error_codes) & set(deny["orchestrator_error_codes"]):
        raise GenerationError("an allowed error code is also a legacy one")
    derive = _Deriver(
        {
            "orchestrator_command_values": sorted(
                [prefix + c for c in orch["commands"]] + [prefix + orch["parse_error_command"]]
            ),
            "orchestrator_contract_version": orch["contract_version"],
            "orchestrator_error_codes": error_codes,
            "orchestrator_mission_command_values": [prefix + c for c in mission_commands],
        },
        schemas,
    )

    payloads: dict[str, Any] = {}
    for event_type, schema_name in event_types.items():
        entry: dict[str, Any] = {"rules": [], "schemas": [{"library": schema_name}]}
        if event_type in wire["payload"]["mission_scoped"]["applies_to"]:
            required = wire["payload"]["mission_scoped"]["required_fields"]
            entry["schemas"].append({"inline": {"required": required, "type": "object"}})
        entry["rules"] = wire["payload"]["library_model_rules"].get(event_type, [])
        payloads[event_type] = entry
    for event_type, schema in wire["payload"]["cli_event_types"].items():
        if event_type in payloads:
            raise GenerationError(f"{event_type} is already modelled by the library")
        payloads[event_type] = {"rules": [], "schemas": [{"inline": schema}]}

    legacy_commands = [prefix + c for c in deny["orchestrator_commands"]]
    surfaces: dict[str, Any] = {
        "event": {
            "deny_keys": deny["keys"],
            "deny_values": [
                {"match": "exact", "path": ["event_type"], "values": deny["event_types"]},
                {"match": "exact", "path": ["aggregate_type"], "values": deny["aggregate_types"]},
                {
                    "match": "root_segment",
                    "path": ["aggregate_id"],
                    "separator": "/",
                    "values": deny["aggregate_id_roots"],
                },
            ],
            "discriminator": ["event_type"],
            "kind": "event",
            "payload_common": wire["payload"]["common"],
            "payload_path": ["payload"],
            "payloads": payloads,
            "rules": [],
            "schema": _envelope_schema(schemas[ENVELOPE_SCHEMA], wire, cutover),
            "signal": {
                "path": [cutover["signal_field_name"]],
                "value": cutover["cutover_contract_version"],
            },
        }
    }
    for name, spec in sorted(wire["surfaces"].items()):
        surface: dict[str, Any] = {
            "deny_keys": deny["keys"],
            "deny_values": [],
            "kind": "batch" if "items" in spec else "document",
            "rules": derive(spec["rules"]),
            "schema": derive(spec["schema"]),
        }
        if "items" in spec:
            surface["items"] = spec["items"]
        if name == "orchestrator_response":
            surface["deny_values"] = [
                {"match": "exact", "path": ["command"], "values": legacy_commands},
                {
                    "match": "exact",
                    "path": ["error_code"],
                    "values": deny["orchestrator_error_codes"],
                },
            ]
        surfaces[name] = surface

    inputs = dict(sorted(hashes.items()))
    digest = _sha256(_canonical({"artifact_version": ARTIFACT_VERSION, "inputs": inputs}))
    artifact = {
        "artifact_id": f"spec-kitty-contract/{EVENTS_VERSION}/{digest[:16]}",
        "artifact_version": ARTIFACT_VERSION,
        "deny": deny,
        "formats": wire["formats"],
        "library": {"cutover": cutover, "event_types": event_types, "schemas": schemas},
        "orchestrator_api": {
            "command_prefix": prefix,
            "commands": orch["commands"],
            "contract_version": orch["contract_version"],
            "error_codes": error_codes,
            "mission_commands": mission_commands,
            "mission_flag": orch["mission_flag"],
            "parse_error_command": orch["parse_error_command"],
        },
        "provenance": {
            "events_commit": era["events_commit"],
            "events_package": {"name": EVENTS_DIST, "version": EVENTS_VERSION},
            "generator": "contracts/generate.py",
            "inputs_sha256": inputs,
            "saas_commit": era["saas_commit"],
            "spec_kitty_plan_commit": era["spec_kitty_plan_commit"],
        },
        "surfaces": surfaces,
    }
    return json.dumps(artifact, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a copy on disk drifted")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        stale = [p for p in OUTPUTS if not p.exists() or p.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"contract drift: {path.relative_to(ROOT)} (run python contracts/generate.py)")
        if not stale:
            print(f"contract artifact up to date ({len(OUTPUTS)} copies)")
        return 1 if stale else 0
    for path in OUTPUTS:
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
