"""A mission as the status model sees it: identity, WP files, the event log and its reduction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._log import LOG_NAME, LogRead, read_log
from ._reduce import Reduced, WPStatus, reduce_events, summary
from ._wpfiles import WorkPackage, find_wp_file, load_work_packages

SNAPSHOT_NAME = "status.json"


@dataclass(frozen=True, kw_only=True)
class MissionView:
    """Everything a command needs to decide, read in one go (read-only)."""

    root: Path
    mission_dir: Path
    identity: Any  # spec_kitty_identity.MissionIdentity
    wps: dict[str, WorkPackage]
    log: LogRead
    reduced: Reduced

    @property
    def slug(self) -> str:
        return str(self.identity.mission_slug)

    @property
    def mission_id(self) -> str:
        return str(self.identity.mission_id)

    def lane(self, wp_id: str) -> str:
        return self.reduced.lane(wp_id)

    def status(self, wp_id: str) -> WPStatus:
        return self.reduced.wps.get(wp_id) or WPStatus(wp_id=wp_id, lane="planned")

    def wp_ids(self) -> list[str]:
        """Work packages from the task files and from the log, sorted."""
        return sorted({*self.wps, *self.reduced.wps})

    def dependencies(self, wp_id: str) -> list[str]:
        wp = self.wps.get(wp_id)
        return list(wp.dependencies) if wp is not None else []

    def prompt_path(self, wp_id: str) -> Path:
        return find_wp_file(self.mission_dir, wp_id).resolve()

    def identity_fields(self) -> dict[str, Any]:
        return {
            "mission_slug": self.slug,
            "mission_number": self.identity.mission_number,
            "mission_type": self.identity.mission_type,
        }

    def snapshot(self) -> dict[str, Any]:
        """The status.json document."""
        states = {wp_id: self.status(wp_id) for wp_id in self.wp_ids()}
        return {
            **self.identity_fields(),
            "mission_id": self.mission_id,
            "materialized_at": self.reduced.last_at,
            "event_count": self.reduced.event_count,
            "last_event_id": self.reduced.last_event_id,
            "summary": summary([s.lane for s in states.values()]),
            "work_packages": {wp_id: s.to_json_dict() for wp_id, s in states.items()},
        }


def resolve(root: Path, selector: str) -> tuple[Path, Any]:
    """(mission folder, MissionIdentity) for a slug, mission_id or unambiguous id prefix."""
    from spec_kitty_identity import resolve_mission

    ref = resolve_mission(root, selector)  # MissionNotFoundError, MissionAmbiguousError
    return ref.path, ref.identity


def open_mission(root: Path, selector: str, *, cached: bool = False) -> MissionView:
    """Read a mission without changing it.

    ``cached``: for read commands: the reduction comes from the status cache (only lines appended
    since the last call are read, see `_statecache`) and the view holds no log records.
    """
    mission_dir, identity = resolve(root, selector)
    if not cached:
        return view_of(root, mission_dir, identity)
    from ._statecache import read_reduced

    reduced, log = read_reduced(root, mission_dir, str(identity.mission_id))
    return MissionView(
        root=root,
        mission_dir=mission_dir,
        identity=identity,
        wps=load_work_packages(mission_dir),
        log=log,
        reduced=reduced,
    )


def view_of(root: Path, mission_dir: Path, identity: Any) -> MissionView:
    log = read_log(mission_dir / LOG_NAME)
    return MissionView(
        root=root,
        mission_dir=mission_dir,
        identity=identity,
        wps=load_work_packages(mission_dir),
        log=log,
        reduced=reduce_events(log.transitions, log.annotations),
    )
