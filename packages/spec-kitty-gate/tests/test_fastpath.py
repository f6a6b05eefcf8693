"""The generated happy-path acceptors agree with the precise validators, verdict for verdict.

An acceptor may only answer True where the precise validator accepts; on plain JSON values it
must also answer True wherever the precise validator accepts (else the fast path is not taken).
"""

from __future__ import annotations

import collections
import enum
import functools
import re
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spec_kitty_gate
from spec_kitty_gate import ContractViolation, _api, _checks, check, is_conformant, surfaces
from spec_kitty_gate._checks import compile_surface
from spec_kitty_gate._compile import SchemaCompiler
from spec_kitty_gate._fastgen import _Generator, acceptor, exact_acceptor
from spec_kitty_gate._fastobj import Program
from spec_kitty_gate._values import Fail

SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DENY = frozenset({"bad", "mission_key"})
TREE = {
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            "required": ["kids"],
        },
        "Lane": {"type": "string", "enum": ["a", "b"]},
    },
    "type": "object",
    "properties": {"root": {"$ref": "#/$defs/Node"}, "lane": {"$ref": "#/$defs/Lane"}},
}
SCHEMAS: list[Any] = [
    True,
    False,
    {},
    {"type": ["string", "integer"]},
    {"type": ["array", "object", "null", "boolean", "number"]},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "integer", "minimum": 0, "maximum": 3},
    {"enum": [1, True, None, "a", [1], {"a": 1}]},
    {"enum": ["a", "b"]},
    {"enum": ["a", 1]},
    {"type": "string", "enum": ["a", 1]},
    {"type": "string", "enum": ["", "a"], "minLength": 1},
    {"const": {"a": [1]}},
    {"const": True},
    {"const": None},
    {"const": "x"},
    {"const": 1},
    {"type": "string", "const": "x", "maxLength": 3},
    {"type": "string", "minLength": 1, "pattern": r"\S"},
    {"type": "string", "minLength": 2, "pattern": r"\S", "enum": ["a", "ab", " "]},
    {"type": "string", "pattern": "^[0-9a-f]{2,4}$"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "uuid"},
    {"format": "uri", "maxLength": 9, "pattern": r"\S", "minimum": 1},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
    {"type": "array"},
    {"minItems": 1, "maxItems": 2},
    {"properties": {"a": {"type": "integer"}}, "required": ["a"]},
    {"type": "object", "properties": {"a": {}, "b": {"type": "string"}}},
    {"type": "object", "additionalProperties": {"type": "integer"}},
    {"type": "object", "additionalProperties": False, "properties": {"a": {}, "bad": {}}},
    {"type": "object", "required": ["a", "z", "a"], "properties": {"a": {"type": "null"}}},
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["z"],
        "properties": {"a": {"type": "string"}},
    },
    {"type": "object", "propertyNames": {"pattern": "^[a-z]$"}, "properties": {"ab": {}}},
    {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
    {"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
    {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
    {"anyOf": [{"type": "object", "required": ["a"]}, {"type": "null"}]},
    {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}], "pattern": "^a"},
    {"anyOf": []},
    {"oneOf": [{"type": "null"}, {"type": "null"}]},
    {"oneOf": [{"type": "null", "title": "x"}, {}]},
    {"allOf": [{"type": "string"}, {"minLength": 2}]},
    {"type": "string", "not": {"pattern": "^x"}},
    {"not": {"type": "string"}},
    {"$ref": "#/$defs/Lane", "$defs": {"Lane": {"enum": ["a"]}}},
    {"$ref": "#/$defs/Open", "$defs": {"Open": {"minimum": 1, "description": "x"}}},
    TREE,
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", " ", "a", "b", "x", "ab", "abc", "\u2003", "2026-01-15T10:00:00Z"])
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "b", "z", "ab", "kids", "root", "lane", "bad", "mission_key"])
            | st.text(max_size=3),
            children,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@functools.cache
def _pair(index: int, deny: frozenset[str]) -> tuple[Any, Any]:
    compiler = SchemaCompiler(SCHEMAS[index], deny)
    return compiler.compile(), acceptor(compiler)


def _precise_ok(validator: Any, value: Any) -> bool:
    try:
        validator(value)
    except Fail:
        return False
    return True


def _fast_ok(accepts: Any, value: Any) -> bool:
    try:
        return bool(accepts(value))
    except Exception:  # the gate reads any exception as "not proven"
        return False


@SETTINGS
@given(
    index=st.integers(0, len(SCHEMAS) - 1),
    deny=st.sampled_from([frozenset(), DENY]),
    value=json_values,
)
def test_acceptors_equal_precise_validators_on_json(
    index: int, deny: frozenset[str], value: Any
) -> None:
    precise, fast = _pair(index, deny)
    assert _fast_ok(fast, value) == _precise_ok(precise, value), (SCHEMAS[index], value)


PROBES: list[Any] = [
    None, True, False, 0, 1, -1, 0.5, 1.0, 3, 4, 1.5, "", " ", "a", "b", "c", "ab", "abc", "abcd",
    "x", "xa", "\u2003", "\u2003x", "ff", "fffff", "2026-01-15T10:00:00Z", "2026-01-15T10:00:00",
    "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "https://x", "no scheme", [], [1], [1, 2], [1, 2, 3],
    ["a"], [True], [None], [[1]], [{"bad": 1}], (1,), (1, 2), {}, {"a": 1}, {"a": None}, {"a": "1"},
    {"a": [1]}, {"a": [True]}, {"z": 1}, {"a": None, "z": 1}, {"a": 1, "b": "x"}, {"a": 1, "b": 2},
    {"bad": 1}, {"x": [{"bad": 0}]}, {"a": 1, "b": {"c": [{"mission_key": 0}]}}, {"kids": []},
    {"root": {"kids": [{"kids": []}]}}, {"root": {"kids": [{"kids": [{}]}]}}, {"ab": 1, "c": 2},
    {"ab": 1}, {"c": 2}, {"lane": "a"}, {"lane": "c"}, {1: 2},
]  # fmt: skip


@pytest.mark.parametrize("deny", [frozenset(), DENY])
@pytest.mark.parametrize("index", range(len(SCHEMAS)))
def test_acceptors_equal_precise_validators_on_probes(index: int, deny: frozenset[str]) -> None:
    precise, fast = _pair(index, deny)
    for value in PROBES:
        assert _fast_ok(fast, value) == _precise_ok(precise, value), (SCHEMAS[index], value)


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
def test_generated_source_holds_no_artifact_text(index: int) -> None:
    program = Program()
    _Generator(SchemaCompiler(SCHEMAS[index], DENY), program).function(SCHEMAS[index])
    source = "\n".join(program.sources)
    assert "'" not in source and '"' not in source and "#" not in source
    assert not re.search(r"\b(kids|root|lane|bad|mission_key)\b", source)


def test_every_library_schema_generates(kit) -> None:
    for name, schema in kit.artifact()["library"]["schemas"].items():
        assert callable(acceptor(SchemaCompiler(schema, DENY))), name


def test_not_blank_shortcut_matches_the_regex_on_every_code_point() -> None:
    chars = "".join(map(chr, range(sys.maxunicode + 1)))
    assert re.findall(r"\s", chars) == [c for c in chars if c.isspace()]
    for value in ("", " ", "\t\n", "\u2003x", "x", "\x1c"):
        assert (re.search(r"\S", value) is None) == (not value or value.isspace())


def test_exact_flag_marks_acceptors_whose_no_is_final() -> None:
    assert exact_acceptor(SchemaCompiler({"enum": ["approved", "done"]}))[1]
    assert exact_acceptor(SchemaCompiler({"const": True}))[1]
    assert not exact_acceptor(SchemaCompiler({"type": "object"}))[1]


class Lane(enum.StrEnum):
    DONE = "done"


class Slug(str):
    pass


def _surface_agrees(surface: str, doc: Any) -> None:
    compiled = _api._REGISTRY.get(surface) or _api._surface(surface)
    assert compiled is not None
    precise = _precise_ok(compiled.check, doc)
    fast = _fast_ok(compiled.acceptor(), doc)
    assert fast <= precise, (surface, doc)  # never a yes the precise engine would refuse
    assert is_conformant(surface, doc) == precise


@pytest.mark.parametrize("surface", surfaces())
def test_valid_samples_take_the_fast_path(kit, surface: str) -> None:
    doc = kit.sample(surface)
    compiled = _api._surface(surface)
    assert compiled is not None and compiled.acceptor()(doc) is True
    check(surface, doc)


@SETTINGS
@given(data=st.data(), value=json_values)
def test_surface_acceptors_equal_precise_checks_on_json(
    kit, data: st.DataObject, value: Any
) -> None:
    surface = data.draw(st.sampled_from(surfaces()))
    doc = kit.sample(surface)
    paths = [()]
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, item in items:
            paths.append((*path, key))
            stack.append((item, (*path, key)))
    path = data.draw(st.sampled_from(paths))
    if path:
        doc = kit.mutate(doc, path, data.draw(st.sampled_from([kit.DELETE, value])))
    compiled = _api._surface(surface)
    assert compiled is not None
    assert _fast_ok(compiled.acceptor(), doc) == _precise_ok(compiled.check, doc), (surface, path)


def test_legacy_values_are_refused_by_both_engines(kit) -> None:
    checked = 0
    for surface, spec in kit.artifact()["surfaces"].items():
        for deny in spec["deny_values"]:
            *parents, last = deny["path"]
            for legacy in deny["values"]:
                for value in (legacy, f"{legacy}{deny.get('separator', '')}x", f"x{legacy}"):
                    doc = kit.sample(surface)
                    target = doc
                    for key in parents:
                        target = target.setdefault(key, {})
                    target[last] = value
                    _surface_agrees(surface, doc)
                    checked += 1
    assert checked >= 15


def test_subclasses_fall_back_to_the_precise_engine(kit) -> None:
    env = kit.wp_status_changed()
    env["payload"]["to_lane"] = Lane.DONE
    env["payload"]["from_lane"] = Lane.DONE
    env["node_id"] = Slug("node")
    _surface_agrees("event", env)
    ordered = collections.OrderedDict(kit.wp_status_changed())
    ordered["payload"] = collections.OrderedDict(ordered["payload"])
    assert not _fast_ok(_api._surface("event").acceptor(), ordered)  # type: ignore[union-attr]
    _surface_agrees("event", ordered)
    as_tuples = kit.wp_status_changed()
    as_tuples["payload"]["evidence"]["repos"] = tuple(as_tuples["payload"]["evidence"]["repos"])
    _surface_agrees("event", as_tuples)
    _surface_agrees("event_batch", {"events": [ordered, env]})


def test_violations_are_explained_by_the_precise_engine(kit) -> None:
    env = kit.wp_status_changed()
    del env["payload"]["actor"]  # the acceptor stops at a KeyError; the verdict is unchanged
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert (info.value.code, info.value.path) == ("CONTRACT_MISSING_FIELD", "$.payload.actor")
    env = kit.wp_status_changed()
    env["payload"].update(force=True, reason=" ")
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert (info.value.rule, info.value.path) == ("force_requires_reason", "$.payload.reason")


def test_unknown_event_types_share_one_payload_entry(kit) -> None:
    compiled = _api._surface("event")
    assert compiled is not None
    for index in range(5):
        env = kit.wp_status_changed()
        env["event_type"] = f"Unmodelled{index}"
        env["payload"] = {"mission_slug": " "}  # a violation: the precise engine runs
        assert not is_conformant("event", env)
    assert set(compiled._payloads) <= {None, *kit.artifact()["surfaces"]["event"]["payloads"]}


def test_acceptor_is_generated_after_the_warm_up(kit) -> None:
    registry: dict[str, Any] = {}
    compiled = compile_surface("event", kit.artifact(), registry)
    env = kit.wp_status_changed()
    assert [compiled.accepts(env) for _ in range(_checks.WARM_UP - 1)] == [False] * (
        _checks.WARM_UP - 1
    )  # one-shot commands never pay for compile()
    assert compiled.accepts(env) is True
    assert compiled.accepts is compiled.acceptor()  # hot: called directly, nothing counted


def test_hot_batches_use_the_item_acceptor(kit) -> None:
    registry: dict[str, Any] = {}
    for name in ("event", "event_batch"):
        registry[name] = compile_surface(name, kit.artifact(), registry)
    batch = {"events": [kit.wp_status_changed(), kit.mission_created()]}
    assert registry["event_batch"].acceptor()(batch) is True
    batch["events"][1]["payload"]["mission_number"] = 0
    assert registry["event_batch"].acceptor()(batch) is False


def test_package_check_binds_the_implementation_once() -> None:
    check("heartbeat", {}) if is_conformant("heartbeat", {}) else None
    assert spec_kitty_gate._check is _api.check
    assert spec_kitty_gate._is_conformant is _api.is_conformant


def test_too_deep_for_the_acceptor_is_still_the_precise_verdict(kit) -> None:
    for _ in range(_checks.WARM_UP):
        check("event", kit.wp_status_changed())  # the event surface is hot from here on
    deep: object = {}
    for _ in range(5000):
        deep = {"x": deep}
    env = kit.mutate(kit.sample("event"), ("event_type",), "HistoryAdded")
    env["payload"] = {"nested": deep}
    compiled = _api._surface("event")
    assert compiled is not None and compiled.accepts is compiled.acceptor()
    with pytest.raises(RecursionError):
        compiled.accepts(env)
    with pytest.raises(ContractViolation) as info:
        check("event", env)
    assert (info.value.rule, info.value.path) == ("maxDepth", "$")
