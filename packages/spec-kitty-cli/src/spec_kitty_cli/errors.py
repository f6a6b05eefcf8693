"""Errors raised by CLI commands.

    CliError                 any structured command failure: code, message, details
    └── (operator_fixable)   True: bad input or state the user can fix -> exit 2
                             False: infrastructure failure -> exit 1

Errors from the other spec-kitty packages are rendered the same way: the error boundary in
`main.py` accepts any exception that carries a string ``code`` and a dict ``details``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `--version` never imports typing: a third of its start-up time
if TYPE_CHECKING:
    from typing import Any

__all__ = ["EXIT_INFRA", "EXIT_OK", "EXIT_USAGE", "CliError"]

EXIT_OK = 0
EXIT_INFRA = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A command failure with a stable code, rendered as the error envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        operator_fixable: bool = True,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.operator_fixable = operator_fixable
