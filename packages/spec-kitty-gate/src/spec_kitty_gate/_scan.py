"""The deny-list scan: legacy keys are rejected at every depth, inside lists too."""

from __future__ import annotations

from typing import Any

from ._values import CONTAINERS, Fail

__all__ = ["has_legacy_key", "legacy_key", "scan_keys"]


def legacy_key(key: Any) -> Fail:
    """The failure for a denied key found in an object."""
    fail = Fail("CONTRACT_LEGACY_SURFACE", "deny.keys", "absent", key)
    fail.segments.append(key)
    return fail


def scan_keys(value: Any, deny: frozenset[str]) -> None:
    """Raise ``Fail`` on the first denied key anywhere inside ``value``."""
    if isinstance(value, dict):
        if not deny.isdisjoint(value):
            raise legacy_key(next(k for k in value if k in deny))
        for key, item in value.items():
            if isinstance(item, CONTAINERS):
                try:
                    scan_keys(item, deny)
                except Fail as fail:
                    fail.segments.append(key)
                    raise
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if isinstance(item, CONTAINERS):
                try:
                    scan_keys(item, deny)
                except Fail as fail:
                    fail.segments.append(index)
                    raise


def has_legacy_key(value: Any, deny: frozenset[str]) -> bool:
    """``True`` when ``scan_keys(value, deny)`` would raise (the happy-path form: no paths)."""
    if isinstance(value, dict):
        if not deny.isdisjoint(value):
            return True
        for _, item in value.items():  # the same iteration as scan_keys
            if isinstance(item, CONTAINERS) and has_legacy_key(item, deny):
                return True
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, CONTAINERS) and has_legacy_key(item, deny):
                return True
    return False
