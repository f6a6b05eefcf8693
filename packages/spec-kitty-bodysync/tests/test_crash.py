"""A drain killed with SIGKILL between the server storing a body and the row being marked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spec_kitty_bodysync import BodyQueue, HttpTransport, NamespaceRef, drain

from .conftest import FakeSaas

CHILD = textwrap.dedent(
    """
    import sys
    from spec_kitty_bodysync import BodyQueue, HttpTransport, drain
    with BodyQueue(sys.argv[1]) as queue, HttpTransport(sys.argv[2], "tok") as transport:
        drain(queue, transport)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_mid_drain_then_restart_delivers_the_rest_exactly_once(
    tmp_path: Path, ns: NamespaceRef, saas: FakeSaas
) -> None:
    db = tmp_path / "bodies.db"
    with BodyQueue(db) as queue:
        queue.enqueue_many(ns, [(f"tasks/WP{i:02d}.md", f"# WP{i:02d}\n") for i in range(8)])
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), saas.url])

    def kill_on_fourth_store(count: int) -> None:
        if count == 4:  # stored on the server, answer not yet sent: the row stays pending
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)

    saas.on_store = kill_on_fourth_store
    assert child.wait(timeout=60) == -signal.SIGKILL
    saas.on_store = None
    with BodyQueue(db) as queue:
        assert queue.counts() == {"pending": 5, "delivered": 3, "dead_letter": 0, "parked": 0}
        with HttpTransport(saas.url, "tok") as transport:
            report = drain(queue, transport)
        assert (report.stored, report.already_present, report.stopped) == (4, 1, "drained")
        assert queue.counts()["delivered"] == 8
    assert len(saas.store_events) == len(set(saas.store_events)) == 8
