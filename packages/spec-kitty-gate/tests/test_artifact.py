"""The vendored contract artifact: byte-identical to contracts/, the only source of rules."""

from __future__ import annotations

import ast
import json
from importlib import resources
from pathlib import Path

import pytest

import spec_kitty_gate
from spec_kitty_gate import ArtifactError, _api, _artifact, _checks
from spec_kitty_gate._compile import SchemaCompiler

SRC = Path(spec_kitty_gate.__file__).parent
REPO_COPY = Path(__file__).resolve().parents[3] / "contracts" / "contract.json"


def test_package_copy_is_byte_identical_to_contracts() -> None:
    packaged = resources.files("spec_kitty_gate").joinpath("contract.json").read_bytes()
    if not REPO_COPY.exists():  # pragma: no cover - only outside the monorepo checkout
        pytest.skip("contracts/contract.json is not beside this checkout")
    assert packaged == REPO_COPY.read_bytes()


def test_artifact_is_deterministic_json(kit) -> None:
    text = resources.files("spec_kitty_gate").joinpath("contract.json").read_text("utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_gate_imports_no_sibling_or_upstream_package() -> None:
    for path in SRC.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("spec_kitty_"), f"{path.name} imports {name}"
                assert name.split(".")[0] not in {"jsonschema", "pydantic"}, path.name


def test_deny_list_words_live_only_in_the_artifact(kit) -> None:
    deny = kit.artifact()["deny"]
    words = {w for key in ("keys", "event_types", "orchestrator_commands") for w in deny[key]}
    words |= set(deny["orchestrator_error_codes"])
    for path in SRC.glob("*.py"):
        text = path.read_text("utf-8")
        for word in words:
            assert word not in text, f"{word} is hard-coded in {path.name}"


def test_every_surface_has_a_known_kind(kit) -> None:
    art = kit.artifact()
    assert {s["kind"] for s in art["surfaces"].values()} == {"batch", "document", "event"}
    assert set(art["surfaces"]["event"]["deny_keys"]) == set(art["deny"]["keys"])


def test_unreadable_artifact_is_an_artifact_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_artifact, "ARTIFACT_RESOURCE", "missing.json")
    _artifact.load_artifact.cache_clear()
    try:
        with pytest.raises(ArtifactError) as info:
            _artifact.load_artifact()
        assert info.value.code == "GATE_ARTIFACT_INVALID"
    finally:
        monkeypatch.undo()
        _artifact.load_artifact.cache_clear()


def test_malformed_artifact_is_an_artifact_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(_artifact, "ARTIFACT_RESOURCE", "py.typed")  # empty file: not JSON
    _artifact.load_artifact.cache_clear()
    try:
        with pytest.raises(ArtifactError):
            _artifact.load_artifact()
    finally:
        monkeypatch.undo()
        _artifact.load_artifact.cache_clear()


def test_malformed_top_level_is_an_artifact_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_artifact.json, "loads", lambda text: {"artifact_id": "x"})
    _artifact.load_artifact.cache_clear()
    try:
        with pytest.raises(ArtifactError, match="malformed"):
            _artifact.load_artifact()
    finally:
        monkeypatch.undo()
        _artifact.load_artifact.cache_clear()


def test_uncompilable_surface_is_an_artifact_error(monkeypatch: pytest.MonkeyPatch, kit) -> None:
    broken = kit.artifact()
    broken["surfaces"]["heartbeat"]["schema"] = {"type": "object", "patternProperties": {}}
    broken["surfaces"]["tracker_bind"]["kind"] = "stream"
    broken["surfaces"]["status_snapshot"]["deny_values"] = [
        {"match": "glob", "path": ["x"], "values": []}
    ]
    monkeypatch.setattr(_api, "load_artifact", lambda: broken)
    monkeypatch.setattr(_api, "_REGISTRY", {})
    for surface in ("heartbeat", "tracker_bind", "status_snapshot"):
        with pytest.raises(ArtifactError):
            _api.check(surface, {})


def test_compiled_surface_is_cached() -> None:
    spec_kitty_gate.check(
        "heartbeat", {"build_id": "b", "timestamp": "2026-01-01T00:00:00Z", "type": "pong"}
    )
    first = _api._REGISTRY["heartbeat"]
    spec_kitty_gate.check(
        "heartbeat", {"build_id": "b", "timestamp": "2026-01-01T00:00:00Z", "type": "pong"}
    )
    assert _api._REGISTRY["heartbeat"] is first
    assert isinstance(first, _checks.CompiledSurface)


def test_library_schemas_all_compile(kit) -> None:
    for name, schema in kit.artifact()["library"]["schemas"].items():
        SchemaCompiler(schema, frozenset({"x"})).compile()
        assert name
