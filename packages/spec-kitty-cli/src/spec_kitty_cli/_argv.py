"""Bounds on argv and the environment, checked before any command runs.

Python hands over argv and environment bytes that are not UTF-8 as lone surrogates; such a value
would fail later, deep inside a write, as an infrastructure error. Here it is refused up front
with a code naming the argument (and its option) or the variable: exit 2, nothing touched.
Per-option limits (a selector, an actor, a JSON option) are checked where the value is used.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .errors import CliError

MAX_ARG_CHARS = 1024 * 1024  # larger documents come from a file or stdin
MAX_ENV_CHARS = 64 * 1024
ENV_PREFIXES = ("SPEC_KITTY_", "SPECIFY_")


def _problem(value: str, limit: int) -> tuple[str, str] | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return "NOT_UTF8", f"is not UTF-8 text (undecodable byte at character {exc.start})"
    if len(value) > limit:
        return "TOO_LARGE", f"is {len(value)} characters; the limit is {limit}"
    return None


def _param(args: list[str], index: int) -> str | None:
    arg = args[index]
    if arg.startswith("--") and "=" in arg:
        return arg.split("=", 1)[0]
    if index > 0 and args[index - 1].startswith("-") and "=" not in args[index - 1]:
        return args[index - 1]
    return None


def check_inputs(args: list[str]) -> CliError | None:
    """The first argument or SPEC_KITTY_*/SPECIFY_* variable that is unfit, as an error."""
    from .errors import CliError

    for index, arg in enumerate(args):
        found = _problem(arg, MAX_ARG_CHARS)
        if found is not None:
            param = _param(args, index)
            where = f"option {param}" if param else f"argument {index + 1}"
            details = {"argument": index + 1, "param": param, "limit": MAX_ARG_CHARS}
            return CliError(f"ARGUMENT_{found[0]}", f"{where} {found[1]}", details=details)
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIXES):
            found = _problem(os.environ[name], MAX_ENV_CHARS)
            if found is not None:
                return CliError(
                    f"ENVIRONMENT_{found[0]}",
                    f"${name} {found[1]}; fix or unset it",
                    details={"env": name, "limit": MAX_ENV_CHARS},
                )
    return None
