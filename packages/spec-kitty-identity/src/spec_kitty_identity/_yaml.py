"""YAML helpers: safe loading only (C loader when available) and section-preserving edits."""

from __future__ import annotations

import re
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")


def safe_load(text: str) -> Any:
    """`yaml.safe_load` with the fast C loader; raises yaml.YAMLError on bad input."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def dump_block(key: str, value: Any) -> str:
    """A top-level ``key:`` block in block style, keys in insertion order."""
    return yaml.safe_dump(
        {key: value}, sort_keys=False, default_flow_style=False, allow_unicode=True
    )


def replace_top_level_block(text: str, key: str, value: Any) -> str:
    """Return ``text`` with the top-level ``key:`` block replaced by ``value`` (or appended).

    Everything else — other sections, their comments, blank lines — is kept byte for byte.
    Comment lines just above the next top-level key stay with that key.
    """
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*:", line)), None
    )
    block = dump_block(key, value)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{block}"
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    while end > start + 1 and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
        end -= 1
    return "".join([*lines[:start], block, *lines[end:]])
