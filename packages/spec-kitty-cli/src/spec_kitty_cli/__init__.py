"""spec-kitty-cli: the `spec-kitty` command line tool (entry point: `spec_kitty_cli.main:main`)."""

from __future__ import annotations

from .errors import CliError

TYPE_CHECKING = False  # `--version` never imports typing: a third of its start-up time
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CliError", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
