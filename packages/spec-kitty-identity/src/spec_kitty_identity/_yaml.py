"""YAML helpers: strict safe loading (C loader when available) and section-preserving edits.

``safe_load`` is ``yaml.safe_load`` with three refusals of its own, each an InputRejected:
a mapping that repeats a key (``duplicate_key``, naming the key and both lines), nesting deeper
than MAX_DEPTH (``too_deep``) and aliases that expand past MAX_NODES (``too_large``). Depth is
found by our own lexical scan first, then (with aliases expanded) on libyaml's flat event stream
before anything is composed, so the verdict never depends on a recursion limit or a library's
error wording.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._inputs import MAX_DEPTH, InputRejected
from ._nesting import yaml_nesting_exceeds

try:  # pragma: no cover - depends on how PyYAML was built
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

MAX_NODES = 100_000  # scalars and collections after alias expansion
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")


class StrictLoader(_Base):  # type: ignore[misc]
    """A SafeLoader that refuses a mapping repeating a key (merge keys `<<` excepted)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable: SafeConstructor refuses it below
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise InputRejected(
                        "duplicate_key",
                        f"key `{key}` appears twice (lines {first} and {line}); keep one",
                        key=str(key),
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _measure(text: str, max_depth: int, max_nodes: int) -> None:
    """Refuse deep nesting and alias bombs from the event stream (flat, never recursive)."""
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    stack: list[list[Any]] = [[0, 0, None]]  # [nodes, height, anchor] per open collection
    sizes: dict[str, tuple[int, int]] = {}
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, opening):
            stack.append([1, 1, event.anchor])
            if len(stack) - 1 > max_depth:
                raise InputRejected(
                    "too_deep", f"nesting deeper than {max_depth} levels", limit=max_depth
                )
            continue
        if isinstance(event, closing):
            nodes, height, anchor = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            nodes, height, anchor = 1, 0, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            nodes, height = sizes.get(event.anchor or "", (1, 0))
            anchor = None
            if len(stack) - 1 + height > max_depth:
                raise InputRejected(
                    "too_deep", f"nesting deeper than {max_depth} levels", limit=max_depth
                )
        else:
            continue
        if anchor:
            sizes[anchor] = (nodes, height)
        parent = stack[-1]
        parent[0] += nodes
        parent[1] = max(parent[1], height + 1)
        if parent[0] > max_nodes:
            raise InputRejected(
                "too_large", f"expands to more than {max_nodes} nodes", limit=max_nodes
            )


def safe_load(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """Strict `yaml.safe_load` (see the module docstring).

    Raises InputRejected for the refusals above and yaml.YAMLError for malformed YAML.
    """
    if yaml_nesting_exceeds(text, max_depth):  # lexical, before libyaml sees the text
        raise InputRejected("too_deep", f"nesting deeper than {max_depth} levels", limit=max_depth)
    _measure(text, max_depth, max_nodes)
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass


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
