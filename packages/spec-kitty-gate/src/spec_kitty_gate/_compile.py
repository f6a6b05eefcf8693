"""Compile the JSON-Schema subset the contract artifact uses into precise Python validators.

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

from ._containers import ANNOTATIONS, array_validator, choice_validator, object_validator
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
from ._scan import scan_keys
from ._values import CONTAINERS, Fail, summarize
from .errors import ArtifactError

__all__ = ["ANNOTATIONS", "COMBINATORS", "SchemaCompiler", "Validator", "plan", "scalar_only"]

COMBINATORS = ("allOf", "anyOf", "oneOf")
_KNOWN = frozenset(
    {
        "type", "required", "properties", "additionalProperties", "propertyNames", "enum",
        "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "items", "minItems", "maxItems", "$ref",
        "$defs", "anyOf", "oneOf", "allOf", "not",
    }
)  # fmt: skip
OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties", "propertyNames"})
ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems"})
_STRING_FUSED = frozenset({"type", "minLength", "maxLength", "pattern", "format", "enum", "const"})
_SCALAR_FUSED = frozenset({"type", "enum", "const", "minimum", "maximum"}) | {
    "exclusiveMinimum",
    "exclusiveMaximum",
}
_SCALARS = frozenset({"integer", "number", "boolean", "null", "string"})


def plan(node: dict[str, Any]) -> tuple[str, frozenset[str]]:
    """How a schema object is compiled: its shape and its active (non-annotation) keywords.

    Shapes: ``open`` (no constraint), ``ref``, ``object``, ``array``, ``string``, ``scalar``
    (typed with fused constraints), ``combinator`` (a lone allOf/anyOf/oneOf) or ``general``.
    Raises ``ArtifactError`` for a keyword outside the supported subset.
    """
    unknown = set(node) - _KNOWN - ANNOTATIONS
    if unknown:
        raise ArtifactError(f"unsupported JSON-Schema keywords: {sorted(unknown)}")
    active = frozenset(node) - ANNOTATIONS - {"$defs"}
    kind = node.get("type")
    if not active:
        shape = "open"
    elif active == {"$ref"}:
        shape = "ref"
    elif kind == "object" and active <= OBJECT_KEYWORDS | {"type"}:
        shape = "object"
    elif kind == "array" and active <= ARRAY_KEYWORDS | {"type"}:
        shape = "array"
    elif kind == "string" and active <= _STRING_FUSED:
        shape = "string"
    elif isinstance(kind, str) and kind in _SCALARS and active <= _SCALAR_FUSED:
        shape = "scalar"
    elif kind is None and len(active) == 1 and next(iter(active)) in COMBINATORS:
        shape = "combinator"
    else:
        shape = "general"
    return shape, active


def scalar_only(node: dict[str, Any]) -> bool:
    """``True`` when the node's ``type`` admits scalars only (no deny scan is needed)."""
    types = node.get("type")
    return types is not None and set([types] if isinstance(types, str) else types) <= _SCALARS


def ref_name(root: Any, ref: str) -> str:
    """The ``$defs`` name a ``$ref`` points to; ``ArtifactError`` when unsupported or dangling."""
    if not ref.startswith("#/$defs/"):
        raise ArtifactError(f"unsupported $ref {ref!r}")
    name = ref.removeprefix("#/$defs/")
    target = root.get("$defs", {}).get(name) if isinstance(root, dict) else None
    if target is None:
        raise ArtifactError(f"dangling $ref {ref!r}")
    return name


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
            return self.open()
        if node is False:
            return reject_all
        if not isinstance(node, dict):
            raise ArtifactError(f"schema node is not an object: {node!r}")
        shape, active = plan(node)
        if shape == "open":
            return self.open()
        if shape == "ref":
            return self.ref(node["$ref"])
        if shape == "object":
            return object_validator(self, node, typed=True)
        if shape == "array":
            return array_validator(self, node, typed=True)
        if shape == "string":
            return fused_string(node)
        if shape == "scalar":
            return sequence([type_check(node["type"]), *self._value_checks(node)])
        if shape == "combinator":
            key = next(iter(active))
            return self.combinator(key, node[key])
        checks: list[Validator] = []
        if "$ref" in node:
            checks.append(self.ref(node["$ref"]))
        if "type" in node:
            checks.append(type_check(node["type"]))
        checks.extend(self._value_checks(node))
        if active & OBJECT_KEYWORDS:
            checks.append(object_validator(self, node, typed=False))
        if active & ARRAY_KEYWORDS:
            checks.append(array_validator(self, node, typed=False))
        for key in COMBINATORS:
            if key in node:
                checks.append(self.combinator(key, node[key]))
        if "not" in node:
            checks.append(self.negate(node["not"]))
        if self.deny and not scalar_only(node):
            checks.append(self.open())
        return sequence(checks)

    def open(self) -> Validator:
        """Accept anything, but still reject denied keys inside it."""
        deny = self.deny
        if not deny:
            return accept

        def check_open(value: Any) -> None:
            if isinstance(value, CONTAINERS):
                scan_keys(value, deny)

        return check_open

    def ref(self, ref: str) -> Validator:
        name = ref_name(self.root, ref)
        if name not in self.defs:
            # Late binding: a recursive reference finds the compiled validator at call time.
            def late(value: Any, _name: str = name) -> None:
                self.defs[_name](value)

            self.defs[name] = late
            self.defs[name] = self.compile(self.root["$defs"][name])
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

    def combinator(self, key: str, schemas: list[Any]) -> Validator:
        return choice_validator(key, [self.compile(s) for s in schemas], schemas)

    def negate(self, schema: Any) -> Validator:
        sub = SchemaCompiler(self.root).compile(schema)

        def check_not(value: Any) -> None:
            try:
                sub(value)
            except Fail:
                return
            raise Fail("CONTRACT_INVALID_VALUE", "not", {"not": schema}, summarize(value))

        return check_not
