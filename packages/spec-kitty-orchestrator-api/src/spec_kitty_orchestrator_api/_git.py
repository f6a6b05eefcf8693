"""Small git helpers (subprocess): evidence for approved/done and merging WP work."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import PreflightFailedError


class GitError(Exception):
    """A git command failed: ``stderr`` holds git's own words."""

    def __init__(self, args: list[str], stderr: str) -> None:
        super().__init__(f"git {' '.join(args)}: {stderr.strip()}")
        self.stderr = stderr.strip()


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git in ``cwd``; stdout stripped. Raises GitError on failure when ``check``."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(list(args), str(exc)) from exc
    if check and proc.returncode != 0:
        raise GitError(list(args), proc.stderr or proc.stdout)
    return proc.stdout.strip()


def head_commit(cwd: Path) -> str:
    return git(cwd, "rev-parse", "HEAD")


def current_branch(cwd: Path) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    name = git(cwd, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    return name or None


def branch_exists(cwd: Path, branch: str) -> bool:
    return bool(git(cwd, "rev-parse", "-q", "--verify", f"refs/heads/{branch}", check=False))


def is_ancestor(cwd: Path, commit: str, of: str) -> bool:
    proc = subprocess.run(
        ["git", "merge-base", "--is-ancestor", commit, of],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def preflight_error(message: str, target: str, errors: list[str]) -> PreflightFailedError:
    return PreflightFailedError(message, details={"target_branch": target, "errors": errors})
