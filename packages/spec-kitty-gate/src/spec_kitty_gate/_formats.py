"""Checkers for the JSON-Schema ``format`` names the artifact declares as enforced."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

__all__ = ["FORMAT_CHECKERS"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


def _date_time(value: str) -> bool:
    if len(value) < 16 or value[10] not in "Tt ":
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and parsed.utcoffset() is not None


def _uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


def _uri(value: str) -> bool:
    return _URI.fullmatch(value) is not None


FORMAT_CHECKERS: dict[str, Callable[[str], bool]] = {
    "date-time": _date_time,
    "uri": _uri,
    "uuid": _uuid,
}
