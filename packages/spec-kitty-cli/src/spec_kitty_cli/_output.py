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
    """A rich console (imported lazily: rich costs start-up time)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def error_envelope(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    """The one error shape every ``--json`` command uses."""
    return {"result": "error", "error_code": code, "message": message, "details": details}


def render_structured_error(error: StructuredError, *, as_json: bool) -> int:
    """The one rendering of a spec-kitty error (any package's): print it, return its exit code."""
    if as_json:
        emit_json(error_envelope(error.code, error.message, dict(error.details)))
    else:
        from rich.markup import escape

        err = console(stderr=True)
        err.print(f"[bold red]Error[/] [red]{escape(error.code)}[/]: {escape(error.message)}")
        for key, value in error.details.items():
            err.print(f"  {escape(str(key))}: {escape(str(value))}")
    return EXIT_USAGE if error.operator_fixable else EXIT_INFRA
