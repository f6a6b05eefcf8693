"""Locating the project for a command.

Two roots, one rule:
- the *mission root* is the main repository (kitty-specs/, status logs, runtime runs): mission
  state is shared by every checkout of one clone, so a linked worktree works on the same missions;
- the *checkout* is where the command runs (its own build id, event queue, clock, body queue):
  every event is stamped and queued by the checkout that caused it.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CliError


def checkout_root(start: Path | None = None) -> Path:
    """The checkout this command runs in ($SPECIFY_REPO_ROOT, else the working directory)."""
    from spec_kitty_identity import find_checkout_root

    return find_checkout_root(start)


def main_repo_root(start: Path | None = None) -> Path:
    """The main repository root, also from inside a linked git worktree."""
    from spec_kitty_identity import find_main_repo_root

    return find_main_repo_root(start)


def current_branch(root: Path) -> str | None:
    """The checked-out branch name, read from the checkout's HEAD (None when detached)."""
    from spec_kitty_identity import git_dir

    gdir = git_dir(root)
    if gdir is None:
        return None
    try:
        head = (gdir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def require_branch(root: Path, explicit: str | None) -> str:
    """The target branch: the explicit one, else the current branch."""
    if explicit is not None:
        if (
            not explicit.strip()
            or explicit.startswith("-")
            or ".." in explicit
            or len(explicit) > 255
            or any(ch in explicit for ch in "\x00\n\r")
        ):
            raise CliError(
                "TARGET_BRANCH_INVALID",
                f"invalid target branch {explicit!r}",
                details={"target_branch": explicit},
            )
        return explicit
    branch = current_branch(root)
    if branch is None:
        raise CliError(
            "TARGET_BRANCH_UNKNOWN",
            "cannot tell the current branch (detached HEAD or not a git checkout); "
            "pass --target-branch",
            details={"checkout": str(root), "hint": "--target-branch main"},
        )
    return branch
