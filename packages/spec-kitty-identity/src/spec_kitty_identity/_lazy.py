"""A package's module-level ``__getattr__`` that imports names on first use (start-up time)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

VERSION_ONLY = {"__version__": "._version"}  # importlib.metadata is slow to import


def lazy_getattr(package: str, names: Mapping[str, str] = VERSION_ONLY) -> Callable[[str], Any]:
    """``__getattr__`` for ``package``: each of ``names`` (name -> module) is imported when read."""

    def module_getattr(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    return module_getattr
