"""YAML frontmatter of WP prompt files, with a fast path that avoids importing PyYAML.

Most WP files carry flat frontmatter (`key: plain words`, `key: [WP01, WP02]`). For those the
fast path yields exactly what ``yaml.safe_load`` would; anything it is not sure about (quotes,
comments, nesting, block lists, numbers, booleans, dates) falls back to PyYAML (C loader).
Start-up time is a product feature: the read-only orchestrator commands then never import yaml.
"""

from __future__ import annotations

import re
from typing import Any

_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_./()' -]*$")
_ITEM = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
# Plain words YAML 1.1 (PyYAML) turns into booleans or null.
_SPECIAL_WORDS = frozenset(
    w
    for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
    for w in (base, base.capitalize(), base.upper())
)


class _Fallback(Exception):
    """The fast path cannot be sure: use PyYAML."""


def _plain(value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.match(value) or value in _SPECIAL_WORDS:
        raise _Fallback
    return value


def _fast_value(raw: str) -> Any:
    value = raw.strip()
    if not value:
        raise _Fallback
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        if not inner:
            return []
        return [_plain(item.strip(), _ITEM) for item in inner.split(",")]
    return _plain(value, _PLAIN)


def fast_parse(text: str) -> dict[str, Any] | None:
    """The mapping for simple flat frontmatter, or None when PyYAML must decide."""
    data: dict[str, Any] = {}
    try:
        for line in text.split("\n"):
            if not line.strip():
                continue
            match = _KEY_LINE.match(line.rstrip())
            # A key PyYAML would read as a boolean or null (`no:`, `on:`) is PyYAML's to decide.
            if match is None or match.group(1) in data or match.group(1) in _SPECIAL_WORDS:
                return None
            data[match.group(1)] = _fast_value(match.group(2) or "")
    except _Fallback:
        return None
    return data or None


def yaml_parse(text: str) -> Any:
    """Strict ``yaml.safe_load`` (C loader): yaml.YAMLError when malformed, InputRejected for
    a repeated key, nesting deeper than 64 levels or an alias bomb."""
    from spec_kitty_identity import load_yaml

    return load_yaml(text)


def split_frontmatter(text: str) -> tuple[str, str] | None:
    """(frontmatter, body) for a document opening with a `---` line, else None."""
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None
    text = text.replace("\r\n", "\n")
    end = text.find("\n---", 3)
    while end != -1:
        after = end + 4
        if after == len(text) or text[after] == "\n":
            return text[4 : end + 1], text[after + 1 :]
        end = text.find("\n---", after)
    return None


def parse_frontmatter(text: str) -> Any:
    """Parse frontmatter text: the fast path when it is sure, else PyYAML."""
    fast = fast_parse(text)
    if fast is not None:
        return fast
    return yaml_parse(text)
