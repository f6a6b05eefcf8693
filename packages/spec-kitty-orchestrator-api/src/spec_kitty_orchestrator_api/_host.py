"""The host context and the read-only mission commands.

Read-only commands (mission-state, list-ready) never change a mission; they answer from the
status cache (`_statecache`: only lines appended since the last call are read) and import neither
filelock nor PyYAML (for flat WP frontmatter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._sink import EventSink
from ._view import MissionView, open_mission
from .errors import StatusWriteError

SATISFIED_LANES = frozenset({"approved", "done"})


class Host:
    """One host call's context: the main repository root and the event sink for writes.

    ``checkout`` is the checkout the call runs in (default: ``root``); its identity stamps the
    status lines (build_id), so work done in a linked worktree is attributed to that worktree.
    """

    def __init__(
        self, root: Path, *, sink: EventSink | None = None, checkout: Path | None = None
    ) -> None:
        self.root = Path(root)
        self.checkout = Path(checkout) if checkout is not None else self.root
        self._sink = sink
        self._project: Any = None

    @property
    def sink(self) -> EventSink:
        if self._sink is None:
            raise StatusWriteError(
                "this host has no event sink; status changes cannot be recorded",
                details={"root": str(self.root)},
            )
        return self._sink

    def project(self) -> Any:
        """The invoking checkout's ProjectIdentity (read once per call)."""
        if self._project is None:
            from spec_kitty_identity import load_project_identity

            self._project = load_project_identity(self.checkout)
        return self._project

    def build_id(self) -> str:
        return str(self.project().build_id)

    def origin(self) -> tuple[str, str]:
        """(build_id, node_id) of the invoking checkout: stamped on every status line."""
        project = self.project()
        return str(project.build_id), str(project.node_id)

    def repo_name(self) -> str:
        project = self.project()
        return str(project.repo_slug or project.project_slug)

    def open(self, mission: str) -> MissionView:
        return open_mission(self.root, mission, cached=True)


def _with_warnings(view: MissionView, data: dict[str, Any]) -> dict[str, Any]:
    warnings = view.log.warnings()
    if warnings:
        data["warnings"] = warnings
    return data


def mission_state(host: Host, mission: str) -> dict[str, Any]:
    """Every work package with its lane, dependencies and last actor, plus lane counts."""
    view = host.open(mission)
    snapshot = view.snapshot()
    wps = [
        {
            "wp_id": wp_id,
            "lane": view.lane(wp_id),
            "dependencies": view.dependencies(wp_id),
            "last_actor": view.status(wp_id).actor,
            "title": view.wps[wp_id].title if wp_id in view.wps else None,
        }
        for wp_id in view.wp_ids()
    ]
    data = {
        **view.identity_fields(),
        "mission_id": view.mission_id,
        "summary": snapshot["summary"],
        "work_packages": wps,
    }
    return _with_warnings(view, data)


def unsatisfied(view: MissionView, wp_id: str) -> list[str]:
    """Dependencies not in approved/done (an unknown dependency is unsatisfied)."""
    return [
        dep
        for dep in view.dependencies(wp_id)
        if dep not in view.reduced.wps or view.lane(dep) not in SATISFIED_LANES
    ]


def list_ready(host: Host, mission: str) -> dict[str, Any]:
    """Planned work packages whose dependencies are all approved or done."""
    view = host.open(mission)
    ready = [
        {"wp_id": wp_id, "lane": "planned", "dependencies_satisfied": True}
        for wp_id in sorted(view.wps)
        if view.lane(wp_id) == "planned" and not unsatisfied(view, wp_id)
    ]
    return _with_warnings(view, {**view.identity_fields(), "ready_work_packages": ready})
