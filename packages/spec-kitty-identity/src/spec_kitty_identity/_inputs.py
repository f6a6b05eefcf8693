"""Bounded input: every document or value from outside gets a size, depth and encoding check.

The checks run before (or independently of) the parser, so the verdict never depends on a
library's recursion limit or error wording:

- ``json_nesting_exceeds`` counts brackets outside strings itself (a 100,000-deep array never reaches
  ``json.loads``, whose C scanner would raise RecursionError);
- ``loads_json`` adds a byte limit, strict UTF-8 and a refusal of lone surrogates;
- ``load_yaml`` walks libyaml's flat event stream to measure nesting before composing, and its
  loader refuses a mapping that repeats a key (``yaml.safe_load`` semantics otherwise);
- ``check_text`` bounds an argv/environment string and refuses bytes that are not UTF-8
  (Python hands those over as lone surrogates).

Every refusal is an :class:`InputRejected` carrying ``reason`` (a stable word), ``limit`` and a
one-line message; callers turn it into their own structured error naming the file or option.
"""

from __future__ import annotations

from typing import Any

from ._nesting import json_nesting_exceeds

MAX_DEPTH = 64  # nesting of objects/arrays in any document spec-kitty reads
MAX_DOC_BYTES = 1024 * 1024  # meta.json, config.yaml, one status line, a mission definition
MAX_OPTION_BYTES = 64 * 1024  # a JSON option on the command line (--policy, --evidence-json)
MAX_NAME_CHARS = 255  # a selector, slug or actor (a file name is at most 255 bytes)


class InputRejected(ValueError):
    """An input exceeds a bound or is not text; ``reason`` is a stable machine word.

    It carries ``code`` and ``details`` like every structured error, so one that is not turned
    into a caller's own error still reaches the user as INPUT_REJECTED (exit 2).
    """

    code = "INPUT_REJECTED"
    operator_fixable = True

    def __init__(
        self, reason: str, message: str, *, limit: int | None = None, key: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.limit = limit
        self.key = key
        details: dict[str, Any] = {"reason": reason}
        if limit is not None:
            details["limit"] = limit
        if key is not None:
            details["key"] = key
        self.details = details


def decode_utf8(raw: bytes) -> str:
    """Strict UTF-8 (no BOM games); an InputRejected names the byte offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRejected(
            "not_utf8", f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc


def _check_encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputRejected(
            "not_utf8", f"carries a lone surrogate or undecodable byte at character {exc.start}"
        ) from exc


def _walk_strings(value: Any) -> None:
    """Refuse strings (keys too) that cannot be stored as UTF-8 (a JSON `\\ud800` escape)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_encodable(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_json(
    data: str | bytes, *, max_bytes: int = MAX_DOC_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """``json.loads`` behind a size, depth and encoding check (InputRejected, or ValueError
    from the parser for JSON that is simply malformed)."""
    import json

    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputRejected(
            "too_large", f"is {size} bytes; the limit is {max_bytes} bytes", limit=max_bytes
        )
    text = decode_utf8(data) if isinstance(data, bytes) else data
    _check_encodable(text)
    if json_nesting_exceeds(text, max_depth):
        raise InputRejected("too_deep", f"nesting deeper than {max_depth} levels", limit=max_depth)
    value = json.loads(text)
    _walk_strings(value)
    return value


def check_text(value: str, *, max_chars: int = MAX_NAME_CHARS) -> str:
    """A bounded, UTF-8-clean string from argv or the environment."""
    _check_encodable(value)
    if len(value) > max_chars:
        raise InputRejected(
            "too_long", f"is {len(value)} characters; the limit is {max_chars}", limit=max_chars
        )
    return value


def read_bounded(path: Any, max_bytes: int = MAX_DOC_BYTES) -> bytes:
    """A regular file's bytes, refusing anything over ``max_bytes`` without reading it all.

    OSError for a missing or unreadable file; InputRejected ``too_large``, or ``not_a_file``
    for a FIFO, device or folder (opened non-blocking, so a named pipe never hangs a command).
    """
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputRejected("not_a_file", "is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > max_bytes:
        raise InputRejected("too_large", f"is larger than {max_bytes} bytes", limit=max_bytes)
    return b"".join(chunks)


def load_yaml(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Strict ``yaml.safe_load``: duplicate keys, deep nesting and alias bombs are refused
    (InputRejected); malformed YAML raises yaml.YAMLError. PyYAML is imported on first use."""
    from ._yaml import safe_load

    return safe_load(text, max_depth=max_depth)
