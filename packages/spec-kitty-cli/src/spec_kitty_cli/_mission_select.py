"""Which mission a command means when the user does not say, inferred and announced on stderr.

Order: ``--mission``; then $SPEC_KITTY_MISSION; then the mission the current branch (or linked
worktree's branch) is named after (`<slug>` or `<slug>-...`, as in `001-auth-WP01`); then the only
mission of the project. Anything else is MISSION_NOT_DETECTED, listing the candidates. The
orchestrator-api never infers: its contract requires `--mission`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import CliError

MISSION_ENV = "SPEC_KITTY_MISSION"
MAX_CANDIDATES = 20
F = TypeVar("F", bound=Callable[..., Any])

MISSION_HELP = (
    "Mission: slug, number (001), mission_id or an unambiguous id prefix. Default: "
    f"${MISSION_ENV}, else the mission of the current branch or worktree, else the only mission."
)


def mission_option(func: F) -> F:
    """An optional ``--mission`` whose absence means: infer it (see :func:`select_mission`)."""
    return click.option("--mission", default=None, metavar="<mission>", help=MISSION_HELP)(func)


def infer_mission(checkout: Path, root: Path) -> tuple[Any, str, str]:
    """(MissionRef, source, why) for a command run without ``--mission``.

    ``source`` is ``env``, ``branch`` or ``only`` (stable, for --json); ``why`` is for people.
    """
    from spec_kitty_identity import list_missions, resolve_mission

    from ._project import current_branch

    selector = os.environ.get(MISSION_ENV, "").strip()
    if selector:
        return resolve_mission(root, selector), "env", f"from ${MISSION_ENV}"
    missions = list_missions(root)
    branch = current_branch(checkout)
    if branch is not None:
        named = [m for m in missions if branch == m.slug or branch.startswith(m.slug + "-")]
        if named:
            best = max(named, key=lambda m: len(m.slug))
            return best, "branch", f"the mission of branch {branch}"
    if len(missions) == 1:
        return missions[0], "only", "the only mission"
    slugs = [m.slug for m in missions]
    if not slugs:
        raise CliError(
            "MISSION_NOT_DETECTED",
            "this project has no mission yet",
            details={
                "candidates": [],
                "branch": branch,
                "env": MISSION_ENV,
                "hint": "spec-kitty mission create <title>",
            },
        )
    raise CliError(
        "MISSION_NOT_DETECTED",
        f"which mission? {len(slugs)} missions here and branch {branch or '(detached)'} names "
        f"none of them: pass --mission or set ${MISSION_ENV}",
        details={
            "candidates": slugs[:MAX_CANDIDATES],
            "branch": branch,
            "env": MISSION_ENV,
            "hint": f"--mission {slugs[0]}",
        },
    )


def select_mission(selector: str | None) -> Any:
    """The MissionRef a command works on; an inferred choice is said on stderr."""
    from spec_kitty_identity import resolve_mission

    from ._project import checkout_root, main_repo_root

    root = main_repo_root()
    if selector is not None:
        return resolve_mission(root, selector)
    ref, _, why = infer_mission(checkout_root(), root)
    print(f"spec-kitty: using mission {ref.slug} ({why})", file=sys.stderr)
    return ref
