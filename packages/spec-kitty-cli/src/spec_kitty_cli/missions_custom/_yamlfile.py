"""Reading a YAML file defensively: size limit, binary and encoding checks, strict safe loader
(a repeated key, nesting deeper than MAX_DEPTH or an alias bomb is refused, naming the cause).

Any failure becomes a :class:`YamlFileError` carrying a one-line ``parse_error``: a definition
that is a list, empty, binary, huge or nested too deep is a validation error, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_BYTES = 1024 * 1024  # 1 MiB: a mission definition is a few kilobytes
MAX_DEPTH = 64  # nesting of mappings/sequences, measured on the event stream before composing


class YamlFileError(Exception):
    """The file cannot be read as a YAML mapping."""

    def __init__(self, parse_error: str) -> None:
        super().__init__(parse_error)
        self.parse_error = parse_error


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def read_limited(path: Path) -> bytes:
    """The file's bytes, refusing folders, unreadable files and files over MAX_BYTES."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise YamlFileError(f"{path.name} is not a regular file")
        if size > MAX_BYTES:
            raise YamlFileError(f"file is {size} bytes; the limit is {MAX_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise YamlFileError(f"cannot read the file: {exc.strerror or exc}") from exc


def load_mapping(path: Path) -> tuple[bytes, dict[str, Any]]:
    """Read ``path`` and parse it with the safe loader; it must hold a mapping."""
    import yaml

    raw = read_limited(path)
    if b"\x00" in raw:
        raise YamlFileError("file is binary (contains NUL bytes), not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"file is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    from spec_kitty_identity import InputRejected, load_yaml

    try:
        doc = load_yaml(text, max_depth=MAX_DEPTH)
    except InputRejected as exc:
        raise YamlFileError(exc.message) from exc
    except yaml.YAMLError as exc:
        raise YamlFileError(f"invalid YAML: {one_line(str(exc))}") from exc
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        raise YamlFileError(f"invalid YAML: {type(exc).__name__}: {one_line(str(exc))}") from exc
    if doc is None:
        raise YamlFileError("file is empty: expected a mapping with `mission` and `steps`")
    if not isinstance(doc, dict):
        raise YamlFileError(f"the document must be a mapping, found {type(doc).__name__}")
    return raw, doc


def relative_path_problem(path: str) -> str | None:
    """Why ``path`` is not a clean mission-relative POSIX path (None when it is)."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in {"", ".", ".."} for p in parts):
        return f"{path!r} must be a path relative to the mission folder (forward slashes, no `..`)"
    return None
