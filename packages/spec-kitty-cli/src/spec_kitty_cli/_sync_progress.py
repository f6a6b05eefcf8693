"""Progress on stderr for `sync now` and `sync bodies` (human mode only; --json stays silent).

A run that is still going after about a second says so ("Syncing with URL ..."); every wait
before a retry names the queue, the attempt, why it failed, how long it waits and what is still
pending. stdout is never touched, so ``--json`` output stays exactly one object.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

from spec_kitty_bodysync.delivery import RetryNotice

SLOW_AFTER = 1.0  # seconds of silence before the first line


class SyncNotices:
    """Callable ``notify(RetryNotice)`` and a context that announces slow runs."""

    def __init__(self, enabled: bool, *, target: str, after: float = SLOW_AFTER) -> None:
        self.enabled = enabled
        self.target = target
        self.after = after
        self.started = time.monotonic()
        self.lines: list[str] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._console: Any = None
        self._announced = False

    def _print(self, text: str) -> None:
        with self._lock:
            if self._console is None:
                from ._output import console

                self._console = console(stderr=True)
            self.lines.append(text)
            self._console.print(text, markup=False)

    def __enter__(self) -> SyncNotices:
        if self.enabled:
            self._timer = threading.Timer(self.after, self._slow)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _slow(self) -> None:
        with self._lock:
            if self._announced:
                return
            self._announced = True
        self._print(f"Syncing with {self.target} ... (Ctrl-C leaves everything queued)")

    def __call__(self, notice: RetryNotice) -> None:
        if not self.enabled:
            return
        self._slow()  # the first wait says where it syncs before it says why it waits
        reason = " ".join(notice.reason.split())[:200]
        if notice.attempt is not None:
            tries = f"attempt {notice.attempt}/{notice.max_attempts}"
            self._print(
                f"{notice.queue}: {tries} failed ({reason}); retrying in {notice.wait:.1f}s, "
                f"{notice.pending} pending"
            )
        else:
            self._print(
                f"{notice.queue}: {notice.pending} pending, backing off ({reason}); "
                f"next try in {notice.wait:.1f}s"
            )
