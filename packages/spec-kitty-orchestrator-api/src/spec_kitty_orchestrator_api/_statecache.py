"""The read commands' status cache: a mission's reduced log, kept between calls.

`mission-state`, `list-ready` and `status --json` answer from
`.kittify/state/status-cache/<mission_id>.json` (untracked, per checkout): the `Fold` of the log
and the `Cover` of the bytes it was built from. A call reads only the lines appended since and
folds them in (see `_fold`); otherwise (no cache, a corrupt cache, a truncated, rewritten or
replaced log, a torn tail, a line out of order or failing a check) it streams the whole log,
folding line by line (memory independent of the log's size), and rewrites the cache. Errors are
reported by the full reader with file and line. The cache is an accelerator only: a cache that
cannot be read is ignored and one that cannot be written (a read-only checkout) is skipped.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ._fold import Cover, Fold, cover_of, fold_in, read_tail
from ._log import MAX_LOG_BYTES, LogRead, _complete, read_log
from ._reduce import Reduced

CACHE_DIR = "status-cache"
VERSION = 1
MAX_CACHE_BYTES = 256 << 20  # a cache larger than this is ignored (the log is re-read)


def cache_path(root: Path, mission_id: str) -> Path:
    from spec_kitty_identity import checkout_state_dir

    return checkout_state_dir(root) / CACHE_DIR / f"{mission_id}.json"


def _load(path: Path) -> tuple[Fold, Cover] | None:
    """The cached fold and cover, or None (missing, unreadable or malformed: ignored)."""
    try:
        from spec_kitty_identity import read_bounded

        data = json.loads(read_bounded(path, MAX_CACHE_BYTES))
        if data.get("version") != VERSION:
            return None
        c = data["cover"]
        cover = Cover(
            inode=int(c["inode"]),
            size=int(c["size"]),
            lines=int(c["lines"]),
            head=str(c["head"]),
            tail=str(c["tail"]),
        )
        return Fold.from_json(data["fold"]), cover
    except Exception:  # an accelerator only: anything wrong means "read the log in full"
        return None


def _writable(path: Path) -> bool:
    """The nearest existing folder above ``path`` accepts writes (a read-only checkout: no)."""
    folder = path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


def _save(path: Path, fold: Fold, cover: Cover) -> None:
    from spec_kitty_identity import atomic_write_text

    if not _writable(path):
        return  # readers of a read-only checkout write nothing

    doc = {
        "version": VERSION,
        "cover": {
            "inode": cover.inode,
            "size": cover.size,
            "lines": cover.lines,
            "head": cover.head,
            "tail": cover.tail,
        },
        "fold": fold.to_json(),
    }
    try:
        atomic_write_text(path, json.dumps(doc, separators=(",", ":")))
    except Exception:  # read-only checkout, a symlinked state folder: skip the cache
        return


def _full(path: Path) -> tuple[Fold, LogRead, Cover | None]:
    """Stream the whole log into a fold; any problem is raised by `read_log` (file and line)."""
    from ._stream import parse_line

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Fold(), LogRead(path=path), None
    except OSError:
        read_log(path)  # raises the full reader's error
        raise  # pragma: no cover - read_log raised
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_LOG_BYTES:
        read_log(path)  # the full reader's structured refusal
    fold = Fold()
    torn: str | None = None
    needs_newline = False
    try:
        with path.open("rb") as handle:
            size = lineno = 0
            for line in handle:
                if not line.endswith(b"\n"):
                    if line.strip():
                        try:
                            _complete(line)
                            needs_newline = True
                        except ValueError:
                            torn = line.decode("utf-8", errors="replace")
                            break
                    else:
                        break
                lineno += 1
                record = parse_line(path, lineno, line)
                size += len(line)
                if record is not None:
                    fold.add(record)
            cover = None if torn or needs_newline else cover_of(handle, size, lineno)
    except Exception:
        read_log(path)  # the full reader reports it with file and line
        raise
    log = LogRead(path=path, torn_tail=torn, valid_size=size, needs_newline=needs_newline)
    return fold, log, cover


def read_reduced(root: Path, mission_dir: Path, mission_id: str) -> tuple[Reduced, LogRead]:
    """The reduction of a mission's log and a LogRead without records (for its warnings)."""
    from ._log import LOG_NAME

    path = mission_dir / LOG_NAME
    cache = cache_path(root, mission_id)
    cached = _load(cache)
    if cached is not None:
        fold, cover = cached
        tail = read_tail(path, cover)
        if tail is not None and fold_in(fold, tail[0]):
            if tail[1] != cover:
                _save(cache, fold, tail[1])
            return fold.reduced(), LogRead(path=path, valid_size=tail[1].size)
    fold, log, new_cover = _full(path)
    if new_cover is not None:
        _save(cache, fold, new_cover)
    return fold.reduced(), log
