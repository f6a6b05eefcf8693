"""`spec-kitty agent ...`: commands meant for AI agents (JSON first)."""

from __future__ import annotations

import click

from .._lazy import LazyGroup
from .._registry import AGENT_COMMANDS


@click.group("agent", cls=LazyGroup, lazy=AGENT_COMMANDS)
def agent() -> None:
    """Commands for AI agents: create missions, finalize and move work packages."""
