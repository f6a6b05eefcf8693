"""Opening a SQLite queue for reading only, also on a read-only `.kittify/`.

A reader of a WAL database normally creates the `-shm` file beside it; on a read-only folder
that fails. Read-only commands (`sync status`, `doctor`) therefore open with ``mode=ro`` while a
`-wal` file holds transactions not yet checkpointed, and otherwise (or when SQLite cannot open
it) as ``immutable``. They never create the database or any file beside it, never change it and
never take a write lock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


def connect_readonly(path: Path, *, timeout: float = 10.0) -> sqlite3.Connection:
    """A read-only connection to an existing database (sqlite3.Error when it cannot be read)."""
    import sqlite3  # deferred: the orchestrator's read-only hot path never imports it
    from urllib.parse import quote

    resolved = Path(path).resolve()
    base = "file:" + quote(str(resolved))
    last: sqlite3.Error | None = None
    queries = ["?mode=ro", "?mode=ro&immutable=1"]
    # Without a -wal file the database file holds every committed transaction: read it as
    # immutable, so not even SQLite's -shm/-wal reader files are created. On a read-only folder
    # nothing can write it anyway.
    wal = Path(f"{resolved}-wal")
    if not wal.exists() or not os.access(resolved.parent, os.W_OK):
        queries.pop(0)
    for query in queries:
        conn = sqlite3.connect(base + query, uri=True, timeout=timeout, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
            continue
        except BaseException:
            conn.close()
            raise
        return conn
    assert last is not None
    raise last
