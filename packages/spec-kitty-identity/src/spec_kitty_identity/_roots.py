"""Finding the project: checkout root, main repository root, per-checkout and per-user state.

A *checkout* is one working tree: the main clone or one linked `git worktree`. Identity that must
differ per checkout (the build id, the event queue) lives in the checkout's own untracked state
folder, never in a tracked file. The *main repository root* is where a linked worktree's `.git`
file points back to; the orchestrator host resolves missions there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ProjectRootNotFoundError

KITTIFY_DIR = ".kittify"
STATE_DIRNAME = "state"
# The upstream name, kept: spec-kitty-orchestrator sets SPECIFY_REPO_ROOT on every host call.
ROOT_ENV = "SPECIFY_REPO_ROOT"
HOME_ENV = "SPEC_KITTY_HOME"
_GITDIR_RE = re.compile(r"^gitdir:\s*(.+?)\s*$", re.MULTILINE)


def _start(start: Path | None) -> Path:
    if start is not None:
        return Path(start).resolve()
    env = os.environ.get(ROOT_ENV)
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_dir():
            raise ProjectRootNotFoundError(
                f"{ROOT_ENV} points to {path}, which is not a folder",
                details={"env": ROOT_ENV, "path": str(path)},
            )
        return path
    return Path.cwd().resolve()


def find_checkout_root(start: Path | None = None, *, require_kittify: bool = True) -> Path:
    """The root of the checkout that contains ``start`` (default: $SPECIFY_REPO_ROOT, else cwd).

    Walks up to the first folder holding `.kittify/`; stops at a git checkout boundary (a folder
    with `.git`) so a worktree nested inside the main clone never borrows the main clone's root.
    A linked worktree of a spec-kitty project is a checkout even before it has its own `.kittify/`.
    """
    here = _start(start)
    for folder in (here, *here.parents):
        if (folder / KITTIFY_DIR).is_dir():
            return folder
        if (folder / ".git").exists():
            if not require_kittify or _worktree_of_project(folder):
                return folder
            break
    raise ProjectRootNotFoundError(
        f"no spec-kitty project found at or above {here}; run `spec-kitty init` first",
        details={"path": str(here), "hint": "spec-kitty init"},
    )


def _main_of(checkout_root: Path) -> Path | None:
    """The main clone's root of a linked worktree (None for a main clone or no git)."""
    if not (checkout_root / ".git").is_file():
        return None
    common = git_common_dir(checkout_root)
    return common.parent if common is not None and common.name == ".git" else None


def _worktree_of_project(folder: Path) -> bool:
    """A linked worktree whose main clone is a spec-kitty project (its .kittify/ may be absent)."""
    main = _main_of(folder)
    return main is not None and (main / KITTIFY_DIR).is_dir()


def git_dir(checkout_root: Path) -> Path | None:
    """This checkout's own git dir (`.git/` or, for a linked worktree, `.git/worktrees/<n>`)."""
    dotgit = checkout_root / ".git"
    if dotgit.is_dir():
        return dotgit
    if dotgit.is_file():
        match = _GITDIR_RE.search(dotgit.read_text(encoding="utf-8"))
        if match:
            target = Path(match.group(1))
            return (checkout_root / target).resolve() if not target.is_absolute() else target
    return None


def git_common_dir(checkout_root: Path) -> Path | None:
    """The git dir shared by all worktrees of the repository (the main clone's `.git/`)."""
    own = git_dir(checkout_root)
    if own is None:
        return None
    commondir = own / "commondir"
    if commondir.is_file():
        target = Path(commondir.read_text(encoding="utf-8").strip())
        return (own / target).resolve() if not target.is_absolute() else target
    return own


def is_linked_worktree(checkout_root: Path) -> bool:
    """True when ``checkout_root`` is a linked `git worktree`, not the main clone."""
    return (checkout_root / ".git").is_file()


def find_main_repo_root(start: Path | None = None) -> Path:
    """The main repository root, following a linked worktree's `.git` pointer back.

    ``start`` defaults to $SPECIFY_REPO_ROOT, else the working directory. From the main clone (or
    a folder that is not a git checkout) this is the checkout root itself.
    """
    checkout = find_checkout_root(start, require_kittify=False)
    main = _main_of(checkout)
    if main is not None and (main / KITTIFY_DIR).is_dir():
        return main
    if (checkout / KITTIFY_DIR).is_dir():
        return checkout
    raise ProjectRootNotFoundError(
        f"no spec-kitty project found at or above {checkout}; run `spec-kitty init`",
        details={"path": str(checkout), "hint": "spec-kitty init"},
    )


def main_root_of(checkout_root: Path) -> Path:
    """The main clone of ``checkout_root`` (itself unless it is a linked worktree)."""
    return _main_of(checkout_root) or checkout_root


def checkout_state_dir(checkout_root: Path) -> Path:
    """Untracked per-checkout state: `.kittify/state/`, which ignores itself in git."""
    state = checkout_root / KITTIFY_DIR / STATE_DIRNAME
    ignore = state / ".gitignore"
    if not ignore.is_file() and not _read_only(state):
        from ._atomic import atomic_write_text

        atomic_write_text(
            ignore, "# spec-kitty per-checkout state (build id, queues): never committed\n*\n"
        )
    return state


def _read_only(state: Path) -> bool:
    """A read-only `.kittify/` (or state folder): readers go on; a writer fails where it writes."""
    folder = state if state.is_dir() else state.parent
    return folder.is_dir() and not os.access(folder, os.W_OK)


def user_state_dir() -> Path:
    """Per-user, per-machine state (node id, credentials): $SPEC_KITTY_HOME or the platform dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # deferred: only needed when the env override is absent

    return Path(platformdirs.user_data_dir("spec-kitty", appauthor=False))
