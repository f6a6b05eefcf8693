"""Creating a mission, all or nothing.

The mission folder is assembled under a hidden staging name inside kitty-specs/ (meta.json, then
whatever the caller's ``populate`` adds), renamed into place, and then ``publish`` runs (the
caller queues its MissionCreated event there). If anything fails — an unreadable event queue,
a read-only `.kittify/`, a full disk — the staging or final folder is removed again, so the tree
is as it was and a retry creates exactly one mission. All of it happens under the project's mission
lock, so concurrent creators get distinct numbers and never see a half-built folder.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ._atomic import guard_state_path
from ._mission import (
    META_FILE,
    MissionIdentity,
    MissionRef,
    kebab_title,
    list_missions,
    specs_root,
    validate_mission_slug,
    write_mission_meta,
)
from ._roots import checkout_state_dir
from ._ulid import new_ulid
from .errors import MissionSlugError

LOCK_NAME = "missions.lock"
STAGING_PREFIX = ".creating-"


def _remove(folder: Path) -> None:
    import shutil  # with bz2/lzma: ~3 ms no read-only command should pay (identity is eager)

    with contextlib.suppress(OSError):
        shutil.rmtree(folder)


def create_mission(
    project_root: Path,
    *,
    title: str,
    mission_type: str,
    target_branch: str,
    slug: str | None = None,
    populate: Callable[[Path, MissionIdentity], None] | None = None,
    publish: Callable[[MissionRef], None] | None = None,
) -> MissionRef:
    """Allocate the next mission number and create the mission folder, all or nothing.

    The number is the highest existing `mission_number` + 1. Without ``slug`` the folder is
    `NNN-<kebab title>`; with one, exactly that (validated) slug. ``populate(staging, identity)``
    writes further files before the folder becomes visible; ``publish(ref)`` runs once it is in
    place. An exception from either removes the folder and propagates.
    """
    from filelock import FileLock

    if slug is not None:
        validate_mission_slug(slug)
    friendly = " ".join(title.split())
    kebab = kebab_title(friendly)
    root = specs_root(project_root)
    root.mkdir(parents=True, exist_ok=True)
    # The lock lives in untracked state (never in `git status`), in the main repository, so
    # every checkout of the project numbers under the same lock.
    lock = guard_state_path(checkout_state_dir(project_root) / LOCK_NAME)
    with FileLock(str(lock), timeout=60):
        number = (
            max((m.identity.mission_number for m in list_missions(project_root)), default=0) + 1
        )
        final_slug = slug or f"{number:03d}-{kebab}"
        folder = guard_state_path(root / final_slug)
        if os.path.lexists(folder):
            raise MissionSlugError(
                f"mission folder {folder} already exists",
                details={"mission_slug": final_slug, "path": str(folder)},
            )
        identity = MissionIdentity(
            mission_id=new_ulid(),
            mission_slug=final_slug,
            mission_number=number,
            mission_type=mission_type,
            friendly_name=friendly,
            target_branch=target_branch,
            created_at=datetime.now(UTC),
        )
        staging = guard_state_path(root / f"{STAGING_PREFIX}{identity.mission_id}")
        try:
            staging.mkdir()
            write_mission_meta(staging / META_FILE, identity)
            if populate is not None:
                populate(staging, identity)
            os.rename(staging, folder)
        except BaseException:
            _remove(staging)
            raise
        ref = MissionRef(path=folder, identity=identity)
        if publish is not None:
            try:
                publish(ref)
            except BaseException:
                _remove(folder)
                raise
    return ref
