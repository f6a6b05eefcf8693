"""The Lamport clock of one checkout: `.kittify/state/clock.json`, changed only under a file lock.

``tick()`` (local event) and ``receive(remote)`` (a clock value the server returned) each read,
advance and atomically rewrite the file while holding `clock.json.lock`, so parallel processes in
one checkout never hand out the same value and the clock never goes backwards. File format::

    {"lamport_clock": 42, "updated_at": "2026-05-09T10:00:00+00:00"}

A missing file starts from ``floor()`` (the highest lamport_clock already queued, so a deleted
clock file cannot make new events sort before old ones); a damaged file is an error, never a
silent restart at zero.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CliError

CLOCK_FILE = "clock.json"
_KEY = "lamport_clock"


@contextmanager
def _flock(path: Path, timeout: float) -> Iterator[bool]:
    """Hold an exclusive flock on ``path`` (yields False after ``timeout`` seconds of waiting).

    The same lock as filelock's UnixFileLock (flock on the lock file), without importing it:
    every event pays for this lock.
    """
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the flock


class LamportClock:
    """A persisted, process-safe Lamport counter."""

    def __init__(
        self, path: Path, *, floor: Callable[[], int] | None = None, timeout: float = 30.0
    ) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._floor = floor
        self._timeout = timeout

    def _read(self) -> int:
        try:
            from spec_kitty_identity import read_bounded

            text = read_bounded(self.path, 64 * 1024).decode("utf-8")
        except FileNotFoundError:
            return max(0, int(self._floor())) if self._floor is not None else 0
        try:
            from spec_kitty_identity import loads_json

            value = loads_json(text)[_KEY]
        except (ValueError, KeyError, TypeError) as exc:
            raise self._damaged(str(exc)) from exc
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._damaged(f"{_KEY} must be an integer >= 0, got {value!r}")
        return value

    def _damaged(self, reason: str) -> CliError:
        return CliError(
            "EVENT_CLOCK_DAMAGED",
            f"{self.path} is damaged; delete it and the clock resumes after the highest "
            "lamport_clock in the event queue",
            details={"file": str(self.path), "reason": reason},
        )

    def _write(self, value: int) -> None:
        from spec_kitty_identity import atomic_write_text

        doc = {_KEY: value, "updated_at": datetime.now(UTC).isoformat()}
        atomic_write_text(self.path, json.dumps(doc, sort_keys=True) + "\n")

    def _advance(self, compute: Callable[[int], int]) -> int:
        from spec_kitty_identity import guard_state_path

        guard_state_path(self.path)
        guard_state_path(self.lock_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _flock(self.lock_path, self._timeout) as held:
            if not held:
                raise CliError(
                    "EVENT_CLOCK_LOCKED",
                    f"another spec-kitty process holds {self.lock_path} for more than "
                    f"{self._timeout:g}s",
                    details={"lock": str(self.lock_path)},
                    operator_fixable=False,
                )
            value = compute(self._read())
            self._write(value)
            return value

    def current(self) -> int:
        """The last value handed out (no lock, no write)."""
        return self._read()

    def tick(self) -> int:
        """Advance for a local event and return the new value."""
        return self._advance(lambda local: local + 1)

    def reserve(self, count: int) -> range:
        """Advance by ``count`` under one lock (a batch): the values handed out, in order."""
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count!r}")
        last = self._advance(lambda local: local + count)
        return range(last - count + 1, last + 1)

    def receive(self, remote: int) -> int:
        """Merge a clock value seen remotely: ``max(local, remote) + 1``."""
        if not isinstance(remote, int) or isinstance(remote, bool) or not 0 <= remote < 2**63 - 1:
            raise ValueError(f"remote lamport clock must be an int in [0, 2**63-2], got {remote!r}")
        return self._advance(lambda local: max(local, remote) + 1)
