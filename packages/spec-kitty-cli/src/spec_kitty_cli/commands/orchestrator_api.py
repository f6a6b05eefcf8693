"""`spec-kitty orchestrator-api <command>`: the host API for orchestrators (contract 1.0.0).

Every call prints exactly one JSON object on stdout — the seven-key envelope, checked by the
contract gate first — and nothing else; logs go to stderr. Parse errors (unknown command or
option, missing value) answer a USAGE_ERROR envelope with command "orchestrator-api.unknown"
and exit 2. Only the mission-era names exist: there is no alias for any other name.

The commands are defined once, in the click-free table ``spec_kitty_cli._orchestrator_commands.COMMANDS``;
this module builds the click group from it (help, and every call the fast path in
``spec_kitty_cli._orchestrator_fast_path`` leaves to click).
"""

from __future__ import annotations

from typing import Any

import click

from .._lazy import SpecKittyGroup
from .._orchestrator_commands import (
    BOOL_PAIR,
    COMMANDS,
    FLAG,
    GROUP_HELP,
    CommandSpec,
    OptionSpec,
    emit,
)

__all__ = ["emit", "orchestrator_api", "render_error"]


def render_error(exc: BaseException) -> int:
    """Parse errors (USAGE_ERROR, exit 2) and anything unexpected, command "unknown"."""
    from .._orchestrator_commands import _failure, usage_error

    if isinstance(exc, click.ClickException):
        details: dict[str, Any] = {}
        if getattr(exc, "param_hint", None):
            details["param"] = str(getattr(exc, "param_hint", ""))
        return usage_error(exc.format_message(), details)
    from spec_kitty_identity import as_structured

    if as_structured(exc) is not None:
        from spec_kitty_orchestrator_api import error_response

        return emit(error_response("unknown", exc))
    return emit(_failure("unknown", exc, "INTERNAL_ERROR"))


def _option(spec: OptionSpec) -> click.Option:
    if spec.kind == BOOL_PAIR:
        return click.Option(
            [f"{spec.name}/{spec.off_name}", spec.dest], default=spec.default, help=spec.help
        )
    # Only what was asked for: click 8.5 treats an explicit default=None as a real default.
    extra: dict[str, Any] = {"required": True} if spec.required else {"default": spec.default}
    if spec.kind == FLAG:
        extra["is_flag"] = True
    if spec.show_default:
        extra["show_default"] = True
    return click.Option([spec.name, spec.dest], help=spec.help, **extra)


def _command(spec: CommandSpec) -> click.Command:
    def callback(**params: Any) -> None:
        raise click.exceptions.Exit(spec.run(params))

    params: list[click.Parameter] = [_option(option) for option in spec.options]
    return click.Command(spec.name, callback=callback, params=params, help=spec.help)


orchestrator_api = SpecKittyGroup("orchestrator-api", no_args_is_help=False, help=GROUP_HELP)
for _spec in COMMANDS.values():
    orchestrator_api.add_command(_command(_spec))
