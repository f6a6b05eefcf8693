"""The internal failure signal and small helpers about JSON values."""

from __future__ import annotations

from typing import Any

__all__ = ["CONTAINERS", "Fail", "json_type", "same", "summarize"]

CONTAINERS = (dict, list, tuple)


class Fail(Exception):  # internal control flow, never escapes the gate
    """A failed check; ``segments`` is the path to the offending value, innermost first."""

    __slots__ = ("actual", "code", "expected", "rule", "segments")

    def __init__(self, code: str, rule: str, expected: Any, actual: Any) -> None:
        super().__init__(rule)
        self.code = code
        self.rule = rule
        self.expected = expected
        self.actual = actual
        self.segments: list[str | int] = []


def json_type(value: Any) -> str:
    """The JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def summarize(value: Any) -> Any:
    """A small JSON-safe stand-in for an offending value (containers become their type)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if len(value) <= 200 else value[:197] + "..."
    return f"<{json_type(value)}>"


def same(a: Any, b: Any) -> bool:
    """JSON equality: 1 is not true, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b)
