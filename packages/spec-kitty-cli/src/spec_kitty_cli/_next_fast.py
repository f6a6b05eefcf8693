"""The click-free fast path of `spec-kitty next ... --json` (an agent calls it after every step).

Importing click and rich costs more than the command itself, so `main()` offers every `next`
call to :func:`run_fast` first. It answers only the plain machine form — long options
``--mission``, ``--agent``, ``--result``, ``--step`` (``--name value`` or ``--name=value``, the last
occurrence wins) and ``--json`` — and returns None for anything else (help, human output, an
unknown option, a bad ``--result``, a missing ``--mission``), which click then answers with its
usual messages. The answer is the same envelope the click command prints (the tests compare
both paths); errors carry the same codes and exit codes as the generic error boundary.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_VALUE_OPTIONS = {
    "--mission": "selector",
    "--agent": "agent",
    "--result": "result",
    "--step": "step",
}
_RESULTS = ("success", "failed", "blocked")
AGENT_ENV = "SPEC_KITTY_AGENT"
DEFAULT_AGENT = "agent"


def parse(args: list[str]) -> dict[str, Any] | None:
    """`next` argv (without that word) -> options, or None when click must answer."""
    given: dict[str, Any] = {"json": False}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            given["json"] = True
            continue
        name, equals, value = arg.partition("=")
        if name not in _VALUE_OPTIONS:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        given[_VALUE_OPTIONS[name]] = value
    if not given["json"] or "selector" not in given:
        return None
    if given.get("result") not in (None, *_RESULTS):
        return None
    return given


def _write(obj: dict[str, Any]) -> None:
    import json
    import sys

    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run_fast(args: list[str], *, end_process: bool = False) -> int | None:
    """Answer ``spec-kitty next ARGS`` without click; None: let click answer.

    With ``end_process`` (the console entry point: this process exists for this one call) the
    cyclic garbage collector stays off, and once the answer is flushed the process ends without
    the interpreter's teardown (see :func:`_end`).
    """
    opts = parse(args)
    if opts is None:
        return None
    if end_process:
        import gc

        gc.disable()  # a short call has no cycles worth a collection pass over fresh modules
    code = _answer(opts)
    if end_process:
        _end(code)
    return code


def _end(code: int) -> None:
    """End the process right after the flushed answer (see ``_fast_exit``)."""
    from ._fast_exit import end_process

    end_process(code)


def _answer(opts: dict[str, Any]) -> int:
    import os

    agent = opts["agent"] if "agent" in opts else os.environ.get(AGENT_ENV) or DEFAULT_AGENT
    try:
        from ._project import checkout_root, main_repo_root
        from .runtime._api import next_action

        data = next_action(
            checkout_root(),
            main_repo_root(),
            opts["selector"],
            agent=agent,
            result=opts.get("result"),
            step_id=opts.get("step"),
        )
    except KeyboardInterrupt:
        import sys

        sys.stderr.write("\nInterrupted.\n")
        return 130
    except Exception as exc:
        from spec_kitty_identity import as_structured

        error = as_structured(exc)
        if error is None:
            if os.environ.get("SPEC_KITTY_DEBUG"):
                raise
            code, details = "INTERNAL_ERROR", {"exception": type(exc).__name__}
            message = (
                f"unexpected {type(exc).__name__}: {exc} (set SPEC_KITTY_DEBUG=1 for a traceback)"
            )
            fixable = False
        else:
            code, details, fixable = error.code, error.details, error.operator_fixable
            message = error.message or str(exc)
        _write({"result": "error", "error_code": code, "message": message, "details": details})
        return 2 if fixable else 1
    _write({"result": "success", **data})
    return 0
