"""The click-free fast path of `spec-kitty orchestrator-api` (an orchestrator calls it constantly).

Importing click costs more than the command itself, so `main()` first offers every
`orchestrator-api` call to :func:`run_fast`. It parses argv with a tiny parser driven by the same
table the click group is built from (``_orchestrator_commands.COMMANDS``) and follows click's rules exactly:
``--name value`` and ``--name=value``, flags, ``--x/--no-x`` pairs, the last occurrence wins, a
value option takes the next argument whatever it looks like, options first and then the first
missing required option in declaration order, then extra arguments. Every parse problem gives
click's message text in the same USAGE_ERROR envelope (command "orchestrator-api.unknown",
exit 2).

Whatever it does not reproduce itself — help (``-h``/``--help``), short options, ``--`` — it
leaves to click by returning None: correctness first, the parity tests prove the rest.
"""

from __future__ import annotations

from typing import Any

from ._orchestrator_commands import BOOL_PAIR, COMMANDS, VALUE, CommandSpec, OptionSpec

_HELP = "--help"


class _ToClick(Exception):
    """This argv is for click to answer (help and the syntax the fast parser leaves alone)."""


class _Usage(Exception):
    """A parse error, with click's message text."""


def _closest(name: str, candidates: list[str]) -> str:
    """Click's suggestion suffix: difflib's close matches, sorted (error path only)."""
    from difflib import get_close_matches

    found = sorted(get_close_matches(name, candidates))
    if not found:
        return ""
    shown = ", ".join(repr(p) for p in found)
    return f" Did you mean {shown}?" if len(found) == 1 else f" (Did you mean one of: {shown}?)"


def _is_option(arg: str) -> bool:
    if arg == "--":
        raise _ToClick  # end of options: rare, click's rules apply
    if arg[:1] != "-" or len(arg) == 1:
        return False
    if arg[:2] != "--" or arg.partition("=")[0] == _HELP:
        raise _ToClick  # short options (-h, bundles) and help
    return True


def _command(args: list[str]) -> tuple[CommandSpec, list[str]]:
    """The group level: its only option is help; then the command name."""
    if args and _is_option(args[0]):
        name = args[0].partition("=")[0]
        raise _Usage(f"No such option {name!r}.{_closest(name, [_HELP])}")
    if not args:
        raise _Usage("Missing command.")
    spec = COMMANDS.get(args[0])
    if spec is None:
        raise _Usage(f"No such command {args[0]!r}.{_closest(args[0], list(COMMANDS))}")
    return spec, args[1:]


def _options(spec: CommandSpec) -> dict[str, tuple[OptionSpec, bool]]:
    """Every long option spelling -> (its option, the value a flag spelling sets)."""
    table: dict[str, tuple[OptionSpec, bool]] = {}
    for option in spec.options:
        table[option.name] = (option, True)
        if option.kind == BOOL_PAIR:
            table[option.off_name] = (option, False)
    return table


def parse(args: list[str]) -> tuple[CommandSpec, dict[str, Any]]:
    """``orchestrator-api`` argv (without that word) -> (command, destination -> value).

    Raises ``_Usage`` with click's message, or ``_ToClick`` for what click must answer.
    """
    spec, rest = _command(args)
    table = _options(spec)
    given: dict[str, Any] = {}
    extra: list[str] = []
    while rest:
        arg = rest.pop(0)
        if not _is_option(arg):
            extra.append(arg)
            continue
        name, equals, explicit = arg.partition("=")
        if name not in table:
            raise _Usage(f"No such option {name!r}.{_closest(name, [*table, _HELP])}")
        option, flag_value = table[name]
        if option.kind != VALUE:
            if equals:
                raise _Usage(f"Option {name!r} does not take a value.")
            given[option.dest] = flag_value
        elif equals:
            given[option.dest] = explicit
        elif rest:
            given[option.dest] = rest.pop(0)
        else:
            raise _Usage(f"Option {name!r} requires an argument.")
    for option in spec.options:
        if option.required and option.dest not in given:
            raise _Usage(f"Missing option '{option.name}'.")
    if extra:
        plural = "s" if len(extra) > 1 else ""
        raise _Usage(f"Got unexpected extra argument{plural} ({' '.join(extra)})")
    return spec, {o.dest: given.get(o.dest, o.default) for o in spec.options}


def run_fast(args: list[str], *, end_process: bool = False) -> int | None:
    """Answer ``spec-kitty orchestrator-api ARGS`` without click; None: let click answer.

    With ``end_process`` (the console entry point: this process exists for this one call) the
    cyclic garbage collector stays off — a short call has no cycles worth collecting early, and
    its collection passes over the freshly imported modules cost ~8 ms here — and a read-only
    call or a parse error ends the process right after its answer is flushed (see :func:`_end`).
    """
    if end_process:
        import gc

        gc.disable()
    try:
        try:
            spec, params = parse(list(args))
        except _ToClick:
            return None
        except _Usage as exc:
            from ._orchestrator_commands import usage_error

            code = usage_error(str(exc))
        else:
            code = spec.run(params)
            if spec.access == "write":
                return code  # writes end the normal way: every handler and finalizer runs
    except KeyboardInterrupt:  # what click answers for Ctrl-C
        import sys

        sys.stderr.write("\nInterrupted.\n")
        return 130
    if end_process:
        _end(code)
    return code


def _end(code: int) -> None:
    """End the process right after the flushed answer (see ``_fast_exit``)."""
    from ._fast_exit import end_process

    end_process(code)
