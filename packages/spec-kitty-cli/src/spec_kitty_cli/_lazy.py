"""A click group whose subcommands are imported on first use."""

from __future__ import annotations

import importlib

import click


class SpecKittyGroup(click.Group):
    """A group whose command list shows each summary whole (wrapped), never cut with `...`."""

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
