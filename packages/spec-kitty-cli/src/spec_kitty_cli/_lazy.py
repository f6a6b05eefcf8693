"""A click group whose subcommands are imported on first use."""

from __future__ import annotations

import importlib

import click


class SpecKittyGroup(click.Group):
    """A group whose command list shows each summary whole (wrapped), never cut with `...`,
    and whose unknown-command error suggests the nearest commands (lazy ones included)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and not ctx.resilient_parsing
            and self.get_command(ctx, name) is None
        ):
            from difflib import get_close_matches

            close = get_close_matches(name, self.list_commands(ctx), n=3)
            hint = ""
            if len(close) == 1:
                hint = f" Did you mean {close[0]!r}?"
            elif close:
                hint = " Did you mean one of: " + ", ".join(repr(c) for c in close) + "?"
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class LazyGroup(SpecKittyGroup):
    """Resolves subcommands from a ``name -> (module, attribute, help)`` table."""

    def __init__(
        self, *args: object, lazy: dict[str, tuple[str, str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            module_name, attr, _ = self._lazy[cmd_name]
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):  # pragma: no cover - registry mistake
                raise TypeError(f"{module_name}.{attr} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text comes from the table: listing commands imports none of them.
        rows = [
            (name, self._lazy[name][2]) for name in self.list_commands(ctx) if name in self._lazy
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
