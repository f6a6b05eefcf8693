"""Precise validators for objects, arrays and combinators (see ``_compile``).

Each builder takes the ``SchemaCompiler`` that owns the node, so sub-schemas are compiled with
the same ``$defs`` and deny-list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._leaves import Validator, sequence
from ._scan import legacy_key, scan_keys
from ._values import CONTAINERS, Fail, json_type, summarize

if TYPE_CHECKING:
    from ._compile import SchemaCompiler

__all__ = [
    "ANNOTATIONS",
    "array_validator",
    "choice_validator",
    "is_null_schema",
    "object_validator",
]

ANNOTATIONS = frozenset(
    {"$id", "$schema", "$comment", "title", "description", "default", "examples", "deprecated"}
)


def object_validator(compiler: SchemaCompiler, node: dict[str, Any], *, typed: bool) -> Validator:
    fresh = type(compiler)  # a compiler without the deny-list (nor the opaque names)
    deny = compiler.deny
    required = tuple(node.get("required", ()))
    props: dict[str, Validator] = {}
    for key, sub in node.get("properties", {}).items():
        if key in deny:
            continue  # a denied key is reported as legacy, never validated
        if node is compiler.root and key in compiler.opaque:
            props[key] = fresh(compiler.root).compile(sub)
        else:
            props[key] = compiler.compile(sub)
    extra_schema = node.get("additionalProperties", True)
    closed = extra_schema is False
    extra = None if extra_schema in (True, False) else compiler.compile(extra_schema)
    names = fresh(compiler.root).compile(node["propertyNames"]) if "propertyNames" in node else None

    def check_object(value: Any) -> None:
        if not isinstance(value, dict):
            if typed:
                raise Fail("CONTRACT_INVALID_TYPE", "type", "object", json_type(value))
            return  # the type keyword reports it
        if deny and not deny.isdisjoint(value):
            raise legacy_key(next(k for k in value if k in deny))
        for key in required:
            if key not in value:
                raise _missing(key)
        for key, item in value.items():
            sub = props.get(key)
            if sub is None:
                if names is not None:
                    try:
                        names(key)
                    except Fail as fail:
                        fail.rule = "propertyNames/" + fail.rule
                        fail.segments = [key]
                        raise
                if closed:
                    raise _unknown(key)
                if extra is None:
                    if deny and isinstance(item, CONTAINERS):
                        try:
                            scan_keys(item, deny)
                        except Fail as fail:
                            fail.segments.append(key)
                            raise
                    continue
                sub = extra
            try:
                sub(item)
            except Fail as fail:
                fail.segments.append(key)
                raise

    if deny or closed or extra is not None or names is not None:
        return check_object
    present = tuple(props.items())

    def check_open_object(value: Any) -> None:
        if not isinstance(value, dict):
            if typed:
                raise Fail("CONTRACT_INVALID_TYPE", "type", "object", json_type(value))
            return
        for key in required:
            if key not in value:
                raise _missing(key)
        for key, sub in present:
            if key in value:
                try:
                    sub(value[key])
                except Fail as fail:
                    fail.segments.append(key)
                    raise

    return check_open_object


def array_validator(compiler: SchemaCompiler, node: dict[str, Any], *, typed: bool) -> Validator:
    item = compiler.compile(node["items"]) if "items" in node else compiler.open()
    low: int = node.get("minItems", 0)
    high: int | None = node.get("maxItems")

    def check_array(value: Any) -> None:
        if not isinstance(value, (list, tuple)):
            if typed:
                raise Fail("CONTRACT_INVALID_TYPE", "type", "array", json_type(value))
            return
        if len(value) < low:
            raise Fail("CONTRACT_INVALID_VALUE", "minItems", low, len(value))
        if high is not None and len(value) > high:
            raise Fail("CONTRACT_INVALID_VALUE", "maxItems", high, len(value))
        for index, element in enumerate(value):
            try:
                item(element)
            except Fail as fail:
                fail.segments.append(index)
                raise

    return check_array


def choice_validator(key: str, subs: list[Validator], schemas: list[Any]) -> Validator:
    """allOf / anyOf / oneOf over compiled ``subs`` (compiled from ``schemas``)."""
    if key == "allOf":
        return sequence(subs)
    nulls = [i for i, s in enumerate(schemas) if is_null_schema(s)]
    if len(schemas) == 2 and len(nulls) == 1:
        return _nullable(subs[1 - nulls[0]])
    first_match = key == "anyOf"

    def check_choice(value: Any) -> None:
        fails: list[Fail] = []
        for sub in subs:
            try:
                sub(value)
            except Fail as fail:
                fails.append(fail)
            else:
                if first_match:
                    return
        passed = len(subs) - len(fails)
        if passed == 1:
            return
        if passed > 1:
            raise Fail("CONTRACT_INVALID_VALUE", key, "exactly one match", passed)
        for failed in fails:
            if failed.code == "CONTRACT_LEGACY_SURFACE":
                raise failed
        deep = [f for f in fails if f.code != "CONTRACT_INVALID_TYPE" or f.segments]
        if len(deep) == 1:
            raise deep[0]
        expected = sorted({str(f.expected) for f in fails if f.code == "CONTRACT_INVALID_TYPE"})
        raise Fail("CONTRACT_INVALID_TYPE", key, expected or key, json_type(value))

    return check_choice


def is_null_schema(schema: Any) -> bool:
    """``{"type": "null"}`` (annotations aside): the null branch of an optional value."""
    if not isinstance(schema, dict):
        return False
    return {k for k in schema if k not in ANNOTATIONS} == {"type"} and schema["type"] == "null"


def _nullable(inner: Validator) -> Validator:
    def check_nullable(value: Any) -> None:
        if value is None:
            return
        try:
            inner(value)
        except Fail as fail:
            if fail.code == "CONTRACT_INVALID_TYPE" and not fail.segments:
                fail.expected = [fail.expected, "null"]
            raise

    return check_nullable


def _unknown(key: Any) -> Fail:
    fail = Fail("CONTRACT_UNKNOWN_FIELD", "additionalProperties", None, summarize(key))
    fail.segments.append(key)
    return fail


def _missing(key: str) -> Fail:
    fail = Fail("CONTRACT_MISSING_FIELD", "required", "present", "absent")
    fail.segments.append(key)
    return fail
