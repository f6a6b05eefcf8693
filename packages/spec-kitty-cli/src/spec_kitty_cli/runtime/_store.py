"""Files of the runtime: the run index, a run's folder, its lock, its state and its event log.

    .kittify/runtime/mission-runs.json        mission_slug -> {run_id, run_dir, mission_id, ...}
    .kittify/runtime/runs/<run_id>/
        mission_template_frozen.yaml          the definition as it was when the run started
        state.json                            the run snapshot and its frozen plan (``steps``)
        run.events.jsonl                      one 3.0.0 envelope per line, sorted keys
        run.lock                              held (flock) while the state changes

State is replaced atomically (temp file + rename) under ``run.lock``; event lines are appended
and flushed before the state that counts them is written, so a reader never sees a torn file.
Only stdlib modules are imported here: `spec-kitty next` runs this on every call.
"""

from __future__ import annotations

import contextlib
import json
import os
import time

from ..errors import CliError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any

RUNTIME_DIR = (".kittify", "runtime")
INDEX_FILE = "mission-runs.json"
STATE_FILE = "state.json"
EVENTS_FILE = "run.events.jsonl"
LOCK_FILE = "run.lock"
FROZEN_FILE = "mission_template_frozen.yaml"
LOCK_TIMEOUT = 30.0
MAX_STATE_BYTES = 8 * 1024 * 1024
STATE_SCHEMA = 1


def runtime_dir(root: Path) -> Path:
    return root.joinpath(*RUNTIME_DIR)


def read_index(runtime: Path) -> dict[str, Any]:
    from spec_kitty_identity import loads_json, read_bounded

    path = runtime / INDEX_FILE
    try:
        data = loads_json(read_bounded(path))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _damaged(path, str(exc)) from exc
    if not isinstance(data, dict):
        raise _damaged(path, "the index must hold a JSON object")
    return data


def _damaged(path: Path, reason: str) -> CliError:
    return CliError(
        "RUN_STATE_INVALID",
        f"{path} is damaged ({reason}); restore it or remove the run folder and start again",
        details={"file": str(path), "reason": reason},
        operator_fixable=False,
    )


def run_dir_of(runtime: Path, entry: Any) -> Path | None:
    """The run folder an index entry points at, if it holds a state.json."""
    if not isinstance(entry, dict):
        return None
    run_id = entry.get("run_id")
    if not isinstance(run_id, str) or len(run_id) != 32 or not run_id.isalnum():
        return None
    run_dir = runtime / "runs" / run_id
    return run_dir if (run_dir / STATE_FILE).is_file() else None


class RunLock:
    """An exclusive flock on a lock file (other processes wait up to LOCK_TIMEOUT seconds).

    ``RunLock(run_dir / LOCK_FILE)`` guards one run's state and event log.
    """

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self.fd = -1

    def __enter__(self) -> RunLock:
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise CliError(
                        "RUN_LOCKED",
                        f"another spec-kitty process holds {self.path} for more than "
                        f"{self.timeout:g}s",
                        details={"lock": str(self.path)},
                        operator_fixable=False,
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the flock


def load_state(run_dir: Path) -> dict[str, Any]:
    path = run_dir / STATE_FILE
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_STATE_BYTES + 1)
    except OSError as exc:
        raise _damaged(path, exc.strerror or str(exc)) from exc
    if len(raw) > MAX_STATE_BYTES:
        raise _damaged(path, f"larger than {MAX_STATE_BYTES} bytes")
    try:
        state = json.loads(raw)
    except ValueError as exc:
        raise _damaged(path, str(exc)) from exc
    if not isinstance(state, dict) or state.get("schema") != STATE_SCHEMA:
        raise _damaged(path, f"not a spec-kitty run state (schema {STATE_SCHEMA})")
    return state


def dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save_state(run_dir: Path, state: dict[str, Any]) -> None:
    """Replace state.json atomically (temp file, fsync, rename)."""
    path = run_dir / STATE_FILE
    tmp = run_dir / f".{STATE_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump(state))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def line(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def append_lines(run_dir: Path, envelopes: list[dict[str, Any]]) -> int:
    """Append one line per envelope in one write, flushed; return the file's new size."""
    data = "".join(line(e) for e in envelopes).encode("utf-8")
    fd = os.open(run_dir / EVENTS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW)
    try:
        os.write(fd, data)
        os.fsync(fd)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def lines_from(run_dir: Path, offset: int) -> Iterator[dict[str, Any]]:
    """The envelopes logged at or after byte ``offset`` (complete lines only)."""
    with open(run_dir / EVENTS_FILE, "rb") as handle:
        handle.seek(offset)
        for raw in handle.read().splitlines():
            if raw.strip():
                yield json.loads(raw)
