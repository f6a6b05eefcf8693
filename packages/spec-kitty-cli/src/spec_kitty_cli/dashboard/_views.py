"""Mission views for the dashboard, cached by the files they were read from.

A view (identity, WP files, status log, reduction) is re-read only when `meta.json`, the status
log or a WP file changed (inode, size, mtime): a page that polls an unchanged mission costs a
few `stat` calls. The cache holds at most ``MAX_MISSIONS`` views, so memory stays flat however
long a page stays open. Everything here is read-only.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec_kitty_orchestrator_api import Host, MissionView

MAX_MISSIONS = 64
Stat = tuple[int, int, int] | None


def file_stat(path: Path) -> Stat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def mission_fingerprint(mission_dir: Path) -> tuple[Any, ...]:
    """What a mission view depends on: meta.json, the status log and every WP file."""
    tasks: list[tuple[str, int, int]] = []
    try:
        with os.scandir(mission_dir / "tasks") as entries:
            for entry in entries:
                if entry.name.endswith(".md"):
                    st = entry.stat()
                    tasks.append((entry.name, st.st_size, st.st_mtime_ns))
    except OSError:
        pass
    tasks.sort()
    return (
        file_stat(mission_dir / "meta.json"),
        file_stat(mission_dir / "status.events.jsonl"),
        tuple(tasks),
    )


def _same_but_log(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Only the status log changed, and it grew on the same inode."""
    if old[0] != new[0] or old[2] != new[2] or old[1] is None or new[1] is None:
        return False
    return bool(old[1][0] == new[1][0] and new[1][1] > old[1][1])


@dataclass(kw_only=True)
class Entry:
    """One cached view and what the dashboard derives from it (computed on first use)."""

    key: tuple[Any, ...]
    view: Any  # spec_kitty_orchestrator_api.MissionView
    log_state: Any = None  # orchestrator-api's LogState: how to extend the view after an append
    derived: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def memo(self, name: str, make: Any) -> Any:
        with self.lock:
            if name not in self.derived:
                self.derived[name] = make(self.view)
            return self.derived[name]


class MissionCache:
    """Views of a project's missions, keyed by mission folder, bounded LRU."""

    def __init__(self, root: Path, *, limit: int = MAX_MISSIONS) -> None:
        self.root = Path(root)
        self.limit = limit
        self._entries: OrderedDict[Path, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # how many times a view was read in full; tests and benchmarks read it
        self.extended = 0  # how many times appended lines were folded into a cached view

    def resolve(self, selector: str) -> Any:
        """The MissionRef for a slug, mission_id or unambiguous prefix (structured errors)."""
        from spec_kitty_identity import resolve_mission

        return resolve_mission(self.root, selector)

    def entry(self, selector: str) -> Entry:
        ref = self.resolve(selector)
        return self.entry_for(ref.path)

    def entry_for(self, mission_dir: Path) -> Entry:
        key = mission_fingerprint(mission_dir)
        with self._lock:
            cached = self._entries.get(mission_dir)
            if cached is not None and cached.key == key:
                self._entries.move_to_end(mission_dir)
                return cached
        from spec_kitty_orchestrator_api import extend_view, log_state_of

        grown = None
        if cached is not None and cached.log_state is not None and _same_but_log(cached.key, key):
            grown = extend_view(cached.view, cached.log_state)
        if grown is not None:
            entry = Entry(key=key, view=grown[0], log_state=grown[1])
        else:
            from spec_kitty_orchestrator_api import open_mission

            view = open_mission(self.root, mission_dir.name)
            entry = Entry(key=key, view=view, log_state=log_state_of(view))
        with self._lock:
            if grown is None:
                self.reads += 1
            else:
                self.extended += 1
            self._entries[mission_dir] = entry
            self._entries.move_to_end(mission_dir)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


class CachedHost(Host):
    """A read-only orchestrator-api Host whose ``open`` answers from the cache.

    `mission_state` and `spec-kitty status`'s board take a host and call ``open``; with this host
    they build the very records the CLI prints, without reading the log again.
    """

    def __init__(self, cache: MissionCache) -> None:
        super().__init__(cache.root)
        self._cache = cache

    def open(self, mission: str) -> MissionView:
        view: MissionView = self._cache.entry(mission).view
        return view


class FixedHost(Host):
    """A read-only Host that answers ``open`` with one given view (a consistent snapshot)."""

    def __init__(self, root: Path, view: MissionView) -> None:
        super().__init__(root)
        self._view = view

    def open(self, mission: str) -> MissionView:
        return self._view
