"""Nesting limits found by a lexical scan, independent of any parser.

A JSON or YAML parser's own depth limit, and the wording of its error, change between releases
(libyaml 0.2.5 refuses flow nesting past 1,000 levels; CPython's json recurses until
RecursionError). Callers that promise a bounded depth check the text here first, so the refusal
is ours and the same whatever library version is installed.
"""

from __future__ import annotations

import re

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON ``text`` nests arrays/objects deeper than ``limit`` (strings skipped).

    Linear, and nearly free for ordinary documents: only a text holding more than ``limit``
    opening brackets is scanned (strings removed by one regex, then the brackets counted).
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def yaml_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` nests collections deeper than ``limit``, found without any YAML library.

    A lexical scan, so the refusal does not depend on which PyYAML/libyaml is installed (their
    own limits and messages differ between releases). It counts flow brackets outside quoted
    scalars and comments, block indentation levels and compact `- - -` sequence markers. Block
    scalar bodies (after `|` or `>`) are skipped. The count can exceed the true depth by a level
    or two (a mapping inside a sequence item), never fall short of it on a document PyYAML reads.
    """
    levels: list[tuple[int, bool]] = []  # (indentation, is a sequence) of the open block nodes
    flow = 0
    quote = ""
    scalar_indent = -1  # > -1 while inside a block scalar: lines indented more are its body
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if scalar_indent >= 0:
            if not stripped or indent > scalar_indent:
                continue
            scalar_indent = -1
        if not quote and flow == 0:
            if not stripped or stripped.startswith("#"):
                continue
            dash = stripped[:2] == "- " or stripped == "-"
            # a sequence may sit at its parent key's indentation (`key:` then `- item`)
            while levels and (
                levels[-1][0] > indent or (levels[-1][0] == indent and (levels[-1][1] or not dash))
            ):
                levels.pop()
            rest = stripped
            column = indent
            while rest[:2] == "- " or rest == "-":  # `- - x`: each dash opens a sequence in place
                levels.append((column, True))
                after = rest[1:].lstrip(" ")
                column += len(rest) - len(after)
                rest = after
            levels.append((column, False))
            if len(levels) > limit:
                return True
            base = len(levels)
        else:
            rest = line
            base = len(levels)
        i = 0
        node_start = True  # quotes and (in block context) brackets only count where a node starts
        while i < len(rest):
            ch = rest[i]
            nxt = rest[i + 1 : i + 2]
            if quote:
                if ch == quote:
                    if quote == "'" and nxt == "'":
                        i += 1  # '' is an escaped quote
                    else:
                        quote = ""
                        node_start = False
                elif ch == "\\" and quote == '"':
                    i += 1
            elif ch in " \t":
                if nxt == "#":
                    break  # a comment
            elif ch == "#" and i == 0:
                break
            elif ch in "\"'" and node_start:
                quote = ch
            elif ch in "[{" and (flow or node_start):
                flow += 1
                if base + flow > limit:
                    return True
            elif ch in "]}" and flow:
                flow -= 1
                node_start = False
            elif (ch == "," and flow) or (ch in ":?-" and nxt in ("", " ", "\t")):
                node_start = True
            else:
                node_start = False
            i += 1
        if not quote and flow == 0:
            tail = rest.split(" #", 1)[0].rstrip()
            if tail.endswith(("|", ">", "|-", "|+", ">-", ">+")):
                scalar_indent = indent
    return False
