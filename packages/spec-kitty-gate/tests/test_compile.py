"""The JSON-Schema subset compiler, keyword by keyword (accept and reject)."""

from __future__ import annotations

from typing import Any

import pytest

from spec_kitty_gate import ArtifactError
from spec_kitty_gate._compile import SchemaCompiler
from spec_kitty_gate._values import Fail, json_type, same, summarize


def ok(schema: Any, value: Any, deny: frozenset[str] = frozenset()) -> bool:
    try:
        SchemaCompiler(schema, deny).compile()(value)
    except Fail:
        return False
    return True


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": ["string", "integer"]}, ["a", 1], [None, 1.5, True]),
        ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, [0.5], [0, 1, "0.5"]),
        ({"type": "integer", "maximum": 3}, [3], [4]),
        ({"type": "boolean"}, [True], [1]),
        ({"type": "null"}, [None], [0]),
        ({"enum": [1, True, None]}, [1, True, None, 1.0], [False, 2, "1"]),
        ({"type": "string", "enum": ["a", 1]}, ["a"], [1, "b"]),
        ({"const": {"a": [1]}}, [{"a": [1]}], [{"a": [True]}, {"a": [1], "b": 2}, {"b": [1]}]),
        ({"type": "string", "const": "x", "maxLength": 3}, ["x"], ["y"]),
        ({"type": "string", "maxLength": 2}, ["ab"], ["abc"]),
        ({"type": "string", "format": "uri", "minLength": 3}, ["https://x"], ["x", "no scheme"]),
        ({"maxLength": 2, "minimum": 1}, ["ab", 1, None], ["abc", 0]),
        (
            {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
            [[1], (1, 2)],
            [[], [1, 2, 3], ["a"], "a"],
        ),
        ({"minItems": 1}, [[1], "not-an-array"], [[]]),
        ({"properties": {"a": {"type": "integer"}}}, [{"a": 1}, [], "x"], [{"a": "1"}]),
        (
            {"type": "object", "additionalProperties": {"type": "integer"}},
            [{"a": 1}],
            [{"a": "x"}, []],
        ),
        ({"type": "object", "propertyNames": {"pattern": "^W"}}, [{"WP": 1}], [{"x": 1}]),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, [-1, "x"], [1]),
        ({"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}, [1, None], [1.5]),
        (
            {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
            [1, "ab"],
            ["a", None],
        ),
        (
            {"anyOf": [{"type": "object", "required": ["a"]}, {"type": "null"}]},
            [None, {"a": 1}],
            [{}, 3],
        ),
        ({"allOf": [{"type": "string"}, {"minLength": 2}]}, ["ab"], ["a", 1]),
        ({"type": "string", "not": {"pattern": "^x"}}, ["a"], ["xa"]),
        ({"not": {"type": "string"}}, [1], ["s"]),
        (True, [1, {"a": 1}], []),
        (False, [], [1, None]),
        ({}, [1, None, {}], []),
    ],
)
def test_keywords(schema: Any, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert ok(schema, value), value
    for value in bad:
        assert not ok(schema, value), value


def test_refs_including_recursion() -> None:
    tree = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                "required": ["kids"],
            }
        },
        "$ref": "#/$defs/Node",
    }
    assert ok(tree, {"kids": [{"kids": []}, {"kids": [{"kids": []}]}]})
    assert not ok(tree, {"kids": [{"kids": [{}]}]})


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {}},
        {"$ref": "other.json#/x"},
        {"$ref": "#/$defs/Missing"},
        {"type": "float"},
        {"type": "string", "format": "email"},
        {"properties": {"a": 3}},
    ],
)
def test_unsupported_schemas_fail_closed(schema: Any) -> None:
    with pytest.raises(ArtifactError):
        SchemaCompiler(schema).compile()


def test_deny_keys_are_owned_by_every_shape() -> None:
    deny = frozenset({"bad"})
    cases: list[tuple[Any, Any]] = [
        ({}, {"x": [{"bad": 1}]}),
        ({"type": "array"}, [{"bad": 1}]),
        ({"type": "object"}, {"bad": 1}),
        ({"type": "object", "properties": {"bad": {}}}, {"bad": 1}),
        ({"type": "object", "properties": {"a": {}}}, {"a": 1, "b": {"c": [{"bad": 0}]}}),
        ({"type": "object", "additionalProperties": False}, {"bad": 1}),
        ({"type": "object", "additionalProperties": {}}, {"x": {"bad": 1}}),
        ({"anyOf": [{"type": "object"}, {"type": "null"}]}, {"bad": 1}),
        ({"anyOf": [{"type": "object"}, {"type": "array"}]}, [{"bad": 1}]),
        ({"oneOf": [{"type": "object"}, {"type": "string"}], "description": "x"}, {"bad": 1}),
        ({"not": {"type": "string"}}, {"bad": 1}),
        ({"minItems": 0}, [{"bad": 1}]),
    ]
    for schema, value in cases:
        with pytest.raises(Fail) as info:
            SchemaCompiler(schema, deny).compile()(value)
        assert info.value.code == "CONTRACT_LEGACY_SURFACE", schema


def test_choice_reports_the_most_specific_failure() -> None:
    with pytest.raises(Fail) as info:
        SchemaCompiler({"anyOf": [{"type": "integer"}, {"type": "string"}]}).compile()(None)
    assert info.value.expected == ["integer", "string"]
    with pytest.raises(Fail) as info:
        SchemaCompiler({"anyOf": [{"type": "string", "minLength": 3}, {"type": "null"}]}).compile()(
            1
        )
    assert info.value.expected == ["string", "null"]


def test_value_helpers() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.5, "s", {}, [], (), object())] == [
        "null", "boolean", "integer", "number", "string", "object", "array", "array", "object",
    ]  # fmt: skip
    assert summarize("x" * 300).endswith("...") and len(summarize("x" * 300)) == 200
    assert summarize({"a": 1}) == "<object>"
    assert same(1, 1.0) and not same(1, True) and not same("1", 1) and same((1,), (1,))
