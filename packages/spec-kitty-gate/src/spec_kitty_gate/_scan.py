"""The deny-list scan: legacy keys are rejected at every depth, inside lists too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._values import CONTAINERS, Fail

__all__ = ["legacy_key", "scan_keys"]


def legacy_key(key: Any) -> Fail:
    """The failure for a denied key found in an object."""
    fail = Fail("CONTRACT_LEGACY_SURFACE", "deny.keys", "absent", key)
    fail.segments.append(key)
    return fail


def scan_keys(value: Any, deny: frozenset[str]) -> None:
    """Raise ``Fail`` on the first denied key anywhere inside ``value``."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        if not deny.isdisjoint(value):
            raise legacy_key(next(k for k in value if k in deny))
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        if isinstance(item, CONTAINERS):
            try:
                scan_keys(item, deny)
            except Fail as fail:
                fail.segments.append(key)
                raise
