"""Output conventions shared by every command.

- Machine commands take ``--json`` (see :func:`json_option`) and then print exactly one JSON
  object on stdout: ``{"result": "success", ...}`` or
  ``{"result": "error", "error_code": ..., "message": ..., "details": {...}}``.
- Human output goes through rich; errors go to stderr; no traceback for bad input.
- Exit codes: 0 success, 2 operator-fixable input or state, 1 infrastructure failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .errors import EXIT_INFRA, EXIT_USAGE

if TYPE_CHECKING:
    from spec_kitty_identity import StructuredError

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    json_mode: bool = False


state = _State()


def _record_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        state.json_mode = True
    return value


def json_option(func: F) -> F:
    """Add ``--json`` to a command; the error boundary then answers errors in JSON too."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        default=False,
        is_eager=True,
        callback=_record_json,
        expose_value=True,
        help="Print one JSON object on stdout instead of human output.",
    )(func)


def emit_json(obj: Any) -> None:
    """Write one JSON document (one line) to stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def success(data: dict[str, Any], *, as_json: bool, human: Callable[[], None]) -> None:
    """Report success: the JSON envelope, or the human rendering."""
    if as_json:
        emit_json({"result": "success", **data})
    else:
        human()


def console(*, stderr: bool = False) -> Any:
    """A rich console (imported lazily: rich costs start-up time).

    Emoji codes are off: a value like `custom:x:step` must print as written, and `escape()`
    only protects markup. Every value from a file, the queue or a server is `escape()`d or
    printed with ``markup=False`` (tests/test_markup_safety.py checks both).
    """
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def error_envelope(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    """The one error shape every ``--json`` command uses."""
    return {"result": "error", "error_code": code, "message": message, "details": details}


MAX_HUMAN_ITEMS = 12  # items of one list or mapping shown to a person; --json has them all
MAX_HUMAN_DEPTH = 3  # nested levels shown to a person


def human_scalar(value: Any) -> str:
    """One value as a person reads it: never a Python repr (no True/None/quotes/brackets)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list | tuple | set | frozenset)


def human_lines(value: Any, *, indent: int = 0, depth: int = 0) -> list[str]:
    """A value (mapping, list or scalar) as indented text lines, bounded in size and depth."""
    pad = "  " * indent
    if _is_scalar(value):
        return [f"{pad}{human_scalar(value)}"]
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
    if depth >= MAX_HUMAN_DEPTH:
        count = len(items)
        return [f"{pad}({count} {'entries' if isinstance(items, dict) else 'items'}; see --json)"]
    lines: list[str] = []
    if isinstance(items, dict):
        entries = list(items.items())
        for key, item in entries[:MAX_HUMAN_ITEMS]:
            if _is_scalar(item) or (
                not isinstance(item, dict) and all(_is_scalar(x) for x in item) and item
            ):
                lines.append(f"{pad}{key}: {inline(item)}")
            elif not item:
                lines.append(f"{pad}{key}: none")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(human_lines(item, indent=indent + 1, depth=depth + 1))
        hidden = len(entries) - MAX_HUMAN_ITEMS
    else:
        entries = list(items)
        for item in entries[:MAX_HUMAN_ITEMS]:
            sub = human_lines(item, indent=indent + 1, depth=depth + 1)
            first = sub[0].strip()
            lines.append(f"{pad}- {first}")
            lines.extend(sub[1:])
        hidden = len(entries) - MAX_HUMAN_ITEMS
    if hidden > 0:
        lines.append(f"{pad}… {hidden} more (see --json)")
    return lines


def inline(value: Any) -> str:
    """A scalar, or a flat list of scalars, on one line: `a, b, c` (at most MAX_HUMAN_ITEMS)."""
    if _is_scalar(value):
        return human_scalar(value)
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    if not items:
        return "none"
    shown = ", ".join(human_scalar(x) if _is_scalar(x) else "…" for x in items[:MAX_HUMAN_ITEMS])
    hidden = len(items) - MAX_HUMAN_ITEMS
    return shown + (f", … {hidden} more" if hidden > 0 else "")


def render_structured_error(error: StructuredError, *, as_json: bool) -> int:
    """The one rendering of a spec-kitty error (any package's): print it, return its exit code."""
    if as_json:
        emit_json(error_envelope(error.code, error.message, dict(error.details)))
    else:
        from rich.markup import escape

        err = console(stderr=True)
        err.print(f"[bold red]Error[/] [red]{escape(error.code)}[/]: {escape(error.message)}")
        details = dict(error.details)
        hint = details.pop("hint", None)
        for line in human_lines(details, indent=1):
            err.print(escape(line))
        if isinstance(hint, str) and hint:
            err.print(f"[bold]hint:[/] {escape(hint)}")
    return EXIT_USAGE if error.operator_fixable else EXIT_INFRA
