"""The dossier as a reconcile source: the facts its log (``dossier_outbox``) holds.

Every dossier envelope is written to `.kittify/state/dossier.db` before it is queued (see
``_record``). ``reconcile`` (start of `sync now`, `spec-kitty doctor`) calls
``dossier_facts(checkout_root, build_id)`` and queues those the event queue lacks, with the same
event_id, build_id, node_id and timestamp. Only this checkout's envelopes are yielded (each
checkout has its own dossier.db; the build_id check keeps a copied file from leaking facts).
A checkout without a dossier.db has no dossier facts; nothing is created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .._events._record import Fact

BATCH = 500  # outbox rows read per query


def dossier_facts(checkout_root: Path, build_id: str) -> Iterator[Fact]:
    """Every logged dossier envelope of ``build_id``, oldest first (streamed)."""
    from spec_kitty_identity import checkout_state_dir

    from ._store import DOSSIER_DB, DossierStore

    path = checkout_state_dir(Path(checkout_root).resolve()) / DOSSIER_DB
    if not path.is_file():
        return
    with DossierStore.open_readonly(path) as store:
        after = 0
        while True:
            rows = store.conn.execute(
                "SELECT rowid, envelope FROM dossier_outbox WHERE rowid > ? "
                "AND json_extract(envelope, '$.build_id') = ? ORDER BY rowid LIMIT ?",
                (after, build_id, BATCH),
            ).fetchall()
            if not rows:
                return
            for rowid, text in rows:
                after = rowid
                yield Fact.of_envelope(json.loads(text))
