"""Entry point and the one error boundary of the `spec-kitty` command.

`main()` is the console script. It answers ``--version`` and `orchestrator-api` calls without
importing click (start-up time is a product feature; see `_orchestrator_fast_path`), else runs the click
application and turns every failure into a structured error and an exit code: 0 success,
2 operator-fixable, 1 infrastructure.
"""

from __future__ import annotations

import os
import sys

from .errors import EXIT_INFRA, EXIT_USAGE

TYPE_CHECKING = False  # `--version` never imports typing: a third of its start-up time
if TYPE_CHECKING:
    from typing import Any


def _version() -> str:
    from ._version import __version__

    return __version__


def _build_cli() -> Any:
    import click

    from ._lazy import LazyGroup
    from ._registry import COMMANDS

    @click.group(
        cls=LazyGroup,
        lazy=COMMANDS,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    @click.version_option(
        _version(), "--version", prog_name="spec-kitty", message="%(prog)s %(version)s"
    )
    def cli() -> None:
        """spec-kitty: run spec-driven missions — create a mission, split it into work packages,
        move them through lanes, and sync every step to the SaaS.

        Machine commands take --json and print exactly one JSON object on stdout.
        Exit codes: 0 success, 2 input or state you can fix, 1 infrastructure failure.
        """

    return cli


def _render_click_error(exc: Any, args: list[str]) -> int:
    import importlib

    from ._output import emit_json, error_envelope, state
    from ._registry import ERROR_RENDERERS

    if args and args[0] in ERROR_RENDERERS:
        module_name, attr = ERROR_RENDERERS[args[0]]
        renderer = getattr(importlib.import_module(module_name), attr)
        return int(renderer(exc))
    if state.json_mode or "--json" in args:
        details: dict[str, Any] = {}
        param, ctx = getattr(exc, "param", None), getattr(exc, "ctx", None)
        if param is not None:
            details["param"] = param.get_error_hint(ctx) if ctx is not None else param.name
        elif getattr(exc, "param_hint", None):
            details["param"] = str(exc.param_hint)
        emit_json(error_envelope("USAGE_ERROR", exc.format_message(), details))
        return EXIT_USAGE
    exc.show()
    return int(getattr(exc, "exit_code", EXIT_USAGE))


def run(args: list[str]) -> int:
    """Run the application on ``args`` and return the exit code (no sys.exit)."""
    import click

    from ._output import render_structured_error, state

    state.json_mode = False
    from ._argv import check_inputs

    refused = check_inputs(args)
    if refused is not None:
        if args and args[0] == "orchestrator-api":
            from ._orchestrator_commands import usage_error

            return usage_error(refused.message, {"cause": refused.code, **refused.details})
        return render_structured_error(refused, as_json="--json" in args)
    cli = _build_cli()
    try:
        result = cli.main(args=args, prog_name="spec-kitty", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        return _render_click_error(exc, args)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            sys.stderr.write("Interrupted.\n")
            return 130
        sys.stderr.write("Aborted.\n")
        return EXIT_INFRA
    except Exception as exc:
        from spec_kitty_identity import as_structured

        error = as_structured(exc)
        if error is not None:
            if args and args[0] == "orchestrator-api":
                return _render_click_error(exc, args)
            return render_structured_error(error, as_json=state.json_mode or "--json" in args)
        if os.environ.get("SPEC_KITTY_DEBUG"):
            raise
        from .errors import CliError

        if isinstance(exc, OSError):
            from ._fserror import file_error

            return render_structured_error(
                file_error(exc), as_json=state.json_mode or "--json" in args
            )

        wrapped = CliError(
            "INTERNAL_ERROR",
            f"unexpected {type(exc).__name__}: {exc} (set SPEC_KITTY_DEBUG=1 for a traceback)",
            details={"exception": type(exc).__name__},
            operator_fixable=False,
        )
        return render_structured_error(wrapped, as_json=state.json_mode or "--json" in args)
    return int(result) if isinstance(result, int) else 0


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        sys.stdout.write(f"spec-kitty {_version()}\n")
        sys.exit(0)
    if args[:1] == ["next"]:  # an agent's hot path: no click for the plain --json form
        from ._next_fast import run_fast as run_next_fast

        code = run_next_fast(args[1:], end_process=argv is None)
        if code is not None:
            sys.exit(code)
    if args[:1] == [
        "orchestrator-api"
    ]:  # the orchestrator's hot path: no click (see _orchestrator_fast_path)
        from ._argv import check_inputs
        from ._orchestrator_fast_path import run_fast

        if check_inputs(args) is not None:
            sys.exit(run(args))  # the refusal, in the contract envelope

        code = run_fast(args[1:], end_process=argv is None)
        if code is not None:
            sys.exit(code)
    sys.exit(run(args))


if __name__ == "__main__":  # pragma: no cover
    main()
