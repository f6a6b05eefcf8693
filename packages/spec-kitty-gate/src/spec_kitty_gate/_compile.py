"""Compile the JSON-Schema subset the contract artifact uses into fast Python closures.

Supported keywords: type, required, properties, additionalProperties, propertyNames, enum,
const, minLength, maxLength, pattern, format, minimum, maximum, exclusiveMinimum,
exclusiveMaximum, items, minItems, maxItems, $ref (``#/$defs/...``), $defs, anyOf, oneOf,
allOf, not. Annotations are ignored; any other keyword is an ``ArtifactError`` (fail closed).

A compiled validator returns ``None`` or raises ``Fail``; container validators add their key or
index to ``Fail.segments`` while the failure propagates, so the happy path builds no paths.

Deny-list ownership: a validator compiled with a non-empty ``deny`` set guarantees that a value
it accepts holds no denied key at any depth. Closed objects get this for free (a denied key is
never a declared property); open regions are scanned. So one pass validates and scans.
"""

from __future__ import annotations

from typing import Any

from ._leaves import (
    Validator,
    accept,
    const_check,
    enum_check,
    fused_string,
    number_checks,
    reject_all,
    sequence,
    string_checks,
    type_check,
)
from ._scan import legacy_key, scan_keys
from ._values import CONTAINERS, Fail, json_type, summarize
from .errors import ArtifactError

__all__ = ["SchemaCompiler", "Validator"]

_ANNOTATIONS = frozenset(
    {"$id", "$schema", "$comment", "title", "description", "default", "examples", "deprecated"}
)
_KNOWN = frozenset(
    {
        "type", "required", "properties", "additionalProperties", "propertyNames", "enum",
        "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "items", "minItems", "maxItems", "$ref",
        "$defs", "anyOf", "oneOf", "allOf", "not",
    }
)  # fmt: skip
_OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties", "propertyNames"})
_ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems"})
_STRING_FUSED = frozenset({"type", "minLength", "maxLength", "pattern", "format", "enum", "const"})
_SCALAR_FUSED = frozenset({"type", "enum", "const", "minimum", "maximum"}) | {
    "exclusiveMinimum",
    "exclusiveMaximum",
}
_SCALARS = frozenset({"integer", "number", "boolean", "null", "string"})


class SchemaCompiler:
    """Compiles one root schema (and its ``$defs``) into validators.

    ``opaque`` names root properties validated without the deny-list scan, because a later
    check owns them (the envelope's payload, the batch's item list).
    """

    def __init__(
        self,
        root: Any,
        deny: frozenset[str] = frozenset(),
        opaque: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.deny = deny
        self.opaque = opaque
        self.defs: dict[str, Validator] = {}

    def compile(self, schema: Any = None) -> Validator:
        node = self.root if schema is None else schema
        if node is True:
            return self._open()
        if node is False:
            return reject_all
        if not isinstance(node, dict):
            raise ArtifactError(f"schema node is not an object: {node!r}")
        unknown = set(node) - _KNOWN - _ANNOTATIONS
        if unknown:
            raise ArtifactError(f"unsupported JSON-Schema keywords: {sorted(unknown)}")
        active = frozenset(node) - _ANNOTATIONS - {"$defs"}
        fast = self._fast_path(node, active)
        if fast is not None:
            return fast
        checks: list[Validator] = []
        if "$ref" in node:
            checks.append(self._ref(node["$ref"]))
        if "type" in node:
            checks.append(type_check(node["type"]))
        checks.extend(self._value_checks(node))
        if active & _OBJECT_KEYWORDS:
            checks.append(self._object(node, typed=False))
        if active & _ARRAY_KEYWORDS:
            checks.append(self._array(node, typed=False))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in node:
                checks.append(self._combinator(key, node[key]))
        if "not" in node:
            checks.append(self._negate(node["not"]))
        types = node.get("type")
        scalar_only = types is not None and set([types] if isinstance(types, str) else types) <= (
            _SCALARS
        )
        if self.deny and not scalar_only:
            checks.append(self._open())
        return sequence(checks)

    def _open(self) -> Validator:
        """Accept anything, but still reject denied keys inside it."""
        deny = self.deny
        if not deny:
            return accept

        def check_open(value: Any) -> None:
            if isinstance(value, CONTAINERS):
                scan_keys(value, deny)

        return check_open

    def _fast_path(self, node: dict[str, Any], active: frozenset[str]) -> Validator | None:
        """Fused validators for the shapes that dominate real schemas."""
        if not active:
            return self._open()
        if active == {"$ref"}:
            return self._ref(node["$ref"])
        kind = node.get("type")
        if kind == "object" and active <= _OBJECT_KEYWORDS | {"type"}:
            return self._object(node, typed=True)
        if kind == "array" and active <= _ARRAY_KEYWORDS | {"type"}:
            return self._array(node, typed=True)
        if kind == "string" and active <= _STRING_FUSED:
            return fused_string(node)
        if isinstance(kind, str) and kind in _SCALARS and active <= _SCALAR_FUSED:
            return sequence([type_check(kind), *self._value_checks(node)])
        if kind is None and len(active) == 1 and next(iter(active)) in ("anyOf", "oneOf", "allOf"):
            key = next(iter(active))
            return self._combinator(key, node[key])
        return None

    def _ref(self, ref: str) -> Validator:
        if not ref.startswith("#/$defs/"):
            raise ArtifactError(f"unsupported $ref {ref!r}")
        name = ref.removeprefix("#/$defs/")
        target = self.root.get("$defs", {}).get(name) if isinstance(self.root, dict) else None
        if target is None:
            raise ArtifactError(f"dangling $ref {ref!r}")
        if name not in self.defs:
            # Late binding: a recursive reference finds the compiled validator at call time.
            def late(value: Any, _name: str = name) -> None:
                self.defs[_name](value)

            self.defs[name] = late
            self.defs[name] = self.compile(target)
        return self.defs[name]

    def _value_checks(self, node: dict[str, Any]) -> list[Validator]:
        checks: list[Validator] = []
        if "enum" in node:
            checks.append(enum_check(list(node["enum"])))
        if "const" in node:
            checks.append(const_check(node["const"]))
        for check in (string_checks(node), number_checks(node)):
            if check is not None:
                checks.append(check)
        return checks

    def _object(self, node: dict[str, Any], *, typed: bool) -> Validator:
        deny = self.deny
        required = tuple(node.get("required", ()))
        props: dict[str, Validator] = {}
        for key, sub in node.get("properties", {}).items():
            if key in deny:
                continue  # a denied key is reported as legacy, never validated
            if node is self.root and key in self.opaque:
                props[key] = SchemaCompiler(self.root).compile(sub)
            else:
                props[key] = self.compile(sub)
        extra_schema = node.get("additionalProperties", True)
        closed = extra_schema is False
        extra = None if extra_schema in (True, False) else self.compile(extra_schema)
        names = (
            SchemaCompiler(self.root).compile(node["propertyNames"])
            if "propertyNames" in node
            else None
        )

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

    def _array(self, node: dict[str, Any], *, typed: bool) -> Validator:
        item = self.compile(node["items"]) if "items" in node else self._open()
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

    def _combinator(self, key: str, schemas: list[Any]) -> Validator:
        subs = [self.compile(s) for s in schemas]
        if key == "allOf":
            return sequence(subs)
        nulls = [i for i, s in enumerate(schemas) if _is_null_schema(s)]
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

    def _negate(self, schema: Any) -> Validator:
        sub = SchemaCompiler(self.root).compile(schema)

        def check_not(value: Any) -> None:
            try:
                sub(value)
            except Fail:
                return
            raise Fail("CONTRACT_INVALID_VALUE", "not", {"not": schema}, summarize(value))

        return check_not


def _unknown(key: Any) -> Fail:
    fail = Fail("CONTRACT_UNKNOWN_FIELD", "additionalProperties", None, summarize(key))
    fail.segments.append(key)
    return fail


def _missing(key: str) -> Fail:
    fail = Fail("CONTRACT_MISSING_FIELD", "required", "present", "absent")
    fail.segments.append(key)
    return fail


def _is_null_schema(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return {k for k in schema if k not in _ANNOTATIONS} == {"type"} and schema["type"] == "null"


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
