"""`spec-kitty agent mission create`: create a mission (JSON for agents)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._lazy import SpecKittyGroup
from .._output import json_option

F = TypeVar("F", bound=Callable[..., Any])


@click.group("mission", cls=SpecKittyGroup)
def mission() -> None:
    """Create missions."""


def create_options(func: F) -> F:
    """TITLE, --mission-type, --target-branch and --json (also used by `mission create`)."""
    for decorator in reversed(
        (
            click.argument("title"),
            click.option(
                "--mission-type",
                default="software-dev",
                show_default=True,
                help="Built-in mission type: software-dev, research, documentation or plan.",
            ),
            click.option(
                "--target-branch",
                default=None,
                help="Branch the work merges into (default: current).",
            ),
            json_option,
        )
    ):
        func = decorator(func)
    return func


@mission.command("create")
@create_options
def create(title: str, mission_type: str, target_branch: str | None, as_json: bool) -> None:
    """Create a mission from a free-text TITLE.

    Allocates the next mission number, writes kitty-specs/NNN-kebab-title/meta.json with the
    canonical identity (mission_id, mission_slug, mission_number, mission_type, friendly_name,
    target_branch, created_at) plus a spec.md and tasks/ scaffold, and queues a MissionCreated
    event. With --json prints one object with mission_slug, mission_number, mission_type,
    mission_id and mission_dir (absolute).
    """
    from .._mission_create import create_command

    create_command(title, mission_type, target_branch, as_json)
