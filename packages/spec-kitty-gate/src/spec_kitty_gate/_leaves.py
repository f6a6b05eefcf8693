"""Validators for scalar keywords (type, enum, const, string and number constraints)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ._formats import FORMAT_CHECKERS
from ._values import Fail, json_type, same, summarize
from .errors import ArtifactError

__all__ = [
    "Validator",
    "accept",
    "const_check",
    "enum_check",
    "fused_string",
    "number_checks",
    "reject_all",
    "sequence",
    "string_checks",
    "type_check",
]

Validator = Callable[[Any], None]
NUMBER_RULES = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "array": lambda v: isinstance(v, (list, tuple)),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def accept(value: Any) -> None:
    """Accept anything."""
    return None


def reject_all(value: Any) -> None:
    """The ``false`` schema."""
    raise Fail("CONTRACT_INVALID_VALUE", "false", "nothing", summarize(value))


def sequence(checks: list[Validator]) -> Validator:
    """All checks, in order."""
    if not checks:
        return accept
    if len(checks) == 1:
        return checks[0]

    def run(value: Any) -> None:
        for check in checks:
            check(value)

    return run


def type_check(types: str | list[str]) -> Validator:
    names = [types] if isinstance(types, str) else list(types)
    unknown = [t for t in names if t not in _TYPE_TESTS]
    if unknown:
        raise ArtifactError(f"unknown JSON type {unknown}")
    tests = [_TYPE_TESTS[t] for t in names]
    expected: str | list[str] = names[0] if len(names) == 1 else names

    def check_type(value: Any) -> None:
        if not any(test(value) for test in tests):
            raise Fail("CONTRACT_INVALID_TYPE", "type", expected, json_type(value))

    return check_type


def enum_check(values: list[Any]) -> Validator:
    def check_enum(value: Any) -> None:
        if not any(same(value, v) for v in values):
            raise Fail("CONTRACT_INVALID_VALUE", "enum", values, summarize(value))

    return check_enum


def const_check(expected: Any) -> Validator:
    def check_const(value: Any) -> None:
        if not same(value, expected):
            raise Fail("CONTRACT_INVALID_VALUE", "const", expected, summarize(value))

    return check_const


def _format_checker(fmt: str | None) -> Callable[[str], bool] | None:
    if fmt is None:
        return None
    checker = FORMAT_CHECKERS.get(fmt)
    if checker is None:
        raise ArtifactError(f"unsupported format {fmt!r}")
    return checker


def string_checks(node: dict[str, Any], *, typed: bool = False) -> Validator | None:
    """minLength, maxLength, pattern, format, and with ``typed`` also type/enum/const, fused.

    Untyped, non-string values pass (JSON-Schema semantics: these keywords only apply to
    strings).
    """
    allowed = frozenset(node["enum"]) if typed and "enum" in node else None
    has_const = typed and "const" in node
    const = node.get("const")
    low: int = node.get("minLength", 0)
    high: int | None = node.get("maxLength")
    pattern: str | None = node.get("pattern")
    search = re.compile(pattern).search if pattern is not None else None
    fmt: str | None = node.get("format")
    fmt_check = _format_checker(fmt)
    if not typed and not low and high is None and search is None and fmt_check is None:
        return None
    if typed and not has_const and high is None and fmt_check is None:
        fast = _fast_string(allowed, low, search, pattern)
        if fast is not None:
            return fast

    def check_string(value: Any) -> None:
        if not isinstance(value, str):
            if typed:
                raise Fail("CONTRACT_INVALID_TYPE", "type", "string", json_type(value))
            return
        if allowed is not None and value not in allowed:
            raise Fail("CONTRACT_INVALID_VALUE", "enum", sorted(allowed), summarize(value))
        if has_const and value != const:
            raise Fail("CONTRACT_INVALID_VALUE", "const", const, summarize(value))
        if len(value) < low:
            raise Fail("CONTRACT_INVALID_VALUE", "minLength", low, summarize(value))
        if high is not None and len(value) > high:
            raise Fail("CONTRACT_INVALID_VALUE", "maxLength", high, summarize(value))
        if search is not None and search(value) is None:
            raise Fail("CONTRACT_INVALID_VALUE", "pattern", pattern, summarize(value))
        if fmt_check is not None and not fmt_check(value):
            raise Fail("CONTRACT_INVALID_VALUE", "format", fmt, summarize(value))

    return check_string


def _fast_string(
    allowed: frozenset[str] | None, low: int, search: Any, pattern: str | None
) -> Validator | None:
    """Specialised closures for the most common string shapes (no dead branches)."""
    if allowed is not None and not low and search is None:

        def check_enum_string(value: Any) -> None:
            if not isinstance(value, str):
                raise Fail("CONTRACT_INVALID_TYPE", "type", "string", json_type(value))
            if value not in allowed:
                raise Fail("CONTRACT_INVALID_VALUE", "enum", sorted(allowed), summarize(value))

        return check_enum_string
    if allowed is not None:
        return None

    def check_nonblank_string(value: Any) -> None:
        if not isinstance(value, str):
            raise Fail("CONTRACT_INVALID_TYPE", "type", "string", json_type(value))
        if len(value) < low:
            raise Fail("CONTRACT_INVALID_VALUE", "minLength", low, summarize(value))
        if search is not None and search(value) is None:
            raise Fail("CONTRACT_INVALID_VALUE", "pattern", pattern, summarize(value))

    return check_nonblank_string


def fused_string(node: dict[str, Any]) -> Validator:
    """``type: string`` with its enum/const/length/pattern/format in one closure."""
    if "enum" in node and not all(isinstance(v, str) for v in node["enum"]):
        return sequence([type_check("string"), enum_check(list(node["enum"]))])
    check = string_checks(node, typed=True)
    assert check is not None
    return check


def number_checks(node: dict[str, Any]) -> Validator | None:
    rules = [(k, node[k]) for k in NUMBER_RULES if k in node]
    if not rules:
        return None

    def check_number(value: Any) -> None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return
        for rule, limit in rules:
            if (
                (rule == "minimum" and value < limit)
                or (rule == "maximum" and value > limit)
                or (rule == "exclusiveMinimum" and value <= limit)
                or (rule == "exclusiveMaximum" and value >= limit)
            ):
                raise Fail("CONTRACT_INVALID_VALUE", rule, limit, value)

    return check_number
