"""Helpers for the cutover acceptance tests (tests-integration/test_acceptance_*.py).

Everything here drives the *installed* spec-kitty: the CLI runs as ``python -m spec_kitty_cli``
in a subprocess (so the `wheels` env tests the built wheels, never the source tree), against a
real git repository on disk and the loopback SaaS stand-in (``saas_stub.SaasStub``), which
validates every envelope it receives with spec-kitty-events 3.0.0.

- ``RecordingStub``: the stub plus a record of every HTTP request (method, path, headers, the
  decompressed body), whatever the method or path.
- ``Cli``: runs commands, keeps every stdout for the feature-era scan.
- ``DenyList`` / ``scan_text`` / ``scan_json`` / ``scan_tree``: the feature-era scan. The words
  come from the contract artifact the gate ships (``spec_kitty_gate.artifact_info()["deny"]``)
  united with spec-kitty-events' own cutover artifact: never a hand-kept list.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from saas_stub import SaasStub

POLICY = {
    "orchestrator_id": "spec-kitty-acceptance",
    "orchestrator_version": "1.0.0",
    "agent_family": "claude",
    "approval_mode": "full_auto",
    "sandbox_mode": "workspace_write",
    "network_mode": "none",
    "dangerous_flags": [],
    "tool_restrictions": None,
}
POLICY_JSON = json.dumps(POLICY)
# The nine keys of a body upload (push-content) payload: namespace + artifact.
BODY_KEYS = frozenset(
    {
        "project_uuid",
        "mission_slug",
        "target_branch",
        "mission_type",
        "manifest_version",
        "artifact_path",
        "content_hash",
        "hash_algorithm",
        "content_body",
    }
)
SQLITE_MAGIC = b"SQLite format 3\x00"


# -- git ----------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def make_repo(path: Path, *, remote: str | None = "https://github.com/acme/widgets.git") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "acceptance@spec-kitty.invalid")
    git(path, "config", "user.name", "spec-kitty acceptance")
    if remote:
        git(path, "remote", "add", "origin", remote)
    return path


def commit_all(path: Path, message: str) -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)


def write_wps(root: Path, slug: str, wps: dict[str, tuple[str, list[str]]]) -> None:
    """WP prompt files ``tasks/WPnn-<word>.md`` with canonical frontmatter."""
    tasks = root / "kitty-specs" / slug / "tasks"
    tasks.mkdir(parents=True, exist_ok=True)
    for wp_id, (title, deps) in wps.items():
        front = (
            f"work_package_id: {wp_id}\ntitle: {title}\n"
            f"dependencies: [{', '.join(deps)}]\nsubtasks: []\n"
        )
        body = f"# Work Package Prompt: {wp_id} - {title}\n\nImplement {title.lower()}.\n"
        (tasks / f"{wp_id}-{title.split()[0].lower()}.md").write_text(
            f"---\n{front}---\n{body}", encoding="utf-8"
        )


# -- the SaaS stand-in, recording every request -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str  # decompressed, decoded (utf-8, replacement on error)

    def json(self) -> Any:
        return json.loads(self.body or "null")

    def text(self) -> str:
        return f"{self.method} {self.path}\n{json.dumps(self.headers)}\n{self.body}"


class RecordingStub(SaasStub):
    """``SaasStub`` that also records every request it receives, on any method and path."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests: list[Request] = []

    def start(self) -> RecordingStub:
        super().start()
        assert self._server is not None
        handler = self._server.RequestHandlerClass
        stub = self

        def other(req: Any) -> None:
            stub._record(req)
            stub._reply(req, 405, {"error": "method not allowed"})

        for method in ("GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            setattr(handler, f"do_{method}", other)
        return self

    def _record(self, req: Any) -> bytes:
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        body = raw
        if req.headers.get("Content-Encoding") == "gzip" and raw:
            try:
                body = gzip.decompress(raw)
            except OSError:
                body = raw
        with self.lock:
            self.requests.append(
                Request(
                    method=req.command,
                    path=req.path,
                    headers=dict(req.headers),
                    body=body.decode("utf-8", "replace"),
                )
            )
        return raw

    def _handle(self, req: Any) -> None:
        raw = self._record(req)
        original = req.rfile
        req.rfile = io.BytesIO(raw)  # the parent handler reads the body again
        try:
            super()._handle(req)
        finally:
            req.rfile = original

    def batch_envelopes(self) -> list[dict[str, Any]]:
        """Every envelope of every batch request, in arrival order (duplicates included)."""
        out: list[dict[str, Any]] = []
        for r in self.requests:
            if r.path.split("?")[0] == "/api/v1/events/batch/":
                out.extend(r.json()["events"])
        return out

    def body_payloads(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests if r.path.startswith("/api/dossier/push-content/")]


# -- the CLI ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected exactly one JSON line from {self.args}: {self.stdout!r}"
        return json.loads(lines[0])


@dataclass
class Cli:
    """Runs ``python -m spec_kitty_cli`` (the installed CLI) and keeps every result."""

    env: dict[str, str]
    results: list[Result] = field(default_factory=list)

    def __call__(self, cwd: Path, *args: str, expect: int | None = 0) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "spec_kitty_cli", *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        self.results.append(result)
        if expect is not None:
            assert proc.returncode == expect, (args, proc.returncode, proc.stdout, proc.stderr)
        return result

    def json(self, cwd: Path, *args: str, expect: int | None = 0) -> Any:
        return self(cwd, *args, expect=expect).json()


def cli_env(home: Path, stub: SaasStub | None = None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SPECIFY_REPO_ROOT", "SPEC_KITTY_SERVER_URL", "SPEC_KITTY_TOKEN"}
    }
    env.update(HOME=str(home), SPEC_KITTY_HOME=str(home / ".spec-kitty-state"))
    env["SPEC_KITTY_SYNC_BACKOFF_BASE"] = "0.01"
    if stub is not None:
        env.update(SPEC_KITTY_SERVER_URL=stub.url, SPEC_KITTY_TOKEN=stub.token)
    env.update(extra)
    return env


# -- the feature-era deny list and scans --------------------------------------------------------


@dataclass(frozen=True)
class DenyList:
    words: tuple[str, ...]  # matched as substrings of any text
    flags: tuple[str, ...]  # CLI flags: a match must not continue with a word char or "-"
    aggregate_types: tuple[str, ...]  # never the value of aggregate_type (nor any whole string)
    aggregate_roots: tuple[str, ...]  # never the root of an aggregate_id (nor any whole string)

    def everything(self) -> tuple[str, ...]:
        return self.words + self.flags + self.aggregate_types + self.aggregate_roots


@cache
def deny_list() -> DenyList:
    """The union of the gate artifact's deny-lists and spec-kitty-events' cutover artifact."""
    from spec_kitty_events.cutover import load_cutover_artifact

    from spec_kitty_gate import artifact_info

    deny = artifact_info()["deny"]
    upstream = load_cutover_artifact()
    words = set(deny["keys"]) | set(deny["event_types"])
    words |= set(deny["orchestrator_commands"]) | set(deny["orchestrator_error_codes"])
    words |= set(upstream.forbidden_legacy_keys) | set(upstream.forbidden_legacy_event_names)
    roots = set(deny["aggregate_id_roots"]) | set(upstream.forbidden_legacy_aggregate_names)
    # Sanity: the artifact really carries every category (an empty list would make scans vacuous).
    for name in ("keys", "event_types", "orchestrator_commands", "orchestrator_error_codes"):
        assert deny[name], f"the gate artifact's deny.{name} is empty"
    assert deny["cli_flags"] and deny["aggregate_types"] and roots
    return DenyList(
        words=tuple(sorted(words)),
        flags=tuple(sorted(deny["cli_flags"])),
        aggregate_types=tuple(sorted(deny["aggregate_types"])),
        aggregate_roots=tuple(sorted(roots)),
    )


@cache
def _text_pattern() -> re.Pattern[str]:
    deny = deny_list()
    parts = [re.escape(w) for w in deny.words]
    parts += [re.escape(f) + r"(?![\w-])" for f in deny.flags]
    types = "|".join(re.escape(t) for t in deny.aggregate_types)
    parts.append(rf"aggregate_type\W{{0,6}}(?:{types})\b")
    return re.compile("|".join(parts))


def scan_text(text: str, where: str) -> list[str]:
    """Hits of deny-listed words in free text (any file, stdout, request)."""
    return [f"{where}: {m.group(0)!r}" for m in _text_pattern().finditer(text)]


def scan_json(value: Any, where: str, path: str = "$") -> list[str]:
    """Structured hits at any depth: keys, whole-string values, aggregate types and id roots."""
    deny = deny_list()
    whole = set(deny.everything())
    hits: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in whole:
                hits.append(f"{where}: key {key!r} at {path}")
            if key == "aggregate_type" and item in deny.aggregate_types:
                hits.append(f"{where}: aggregate_type {item!r} at {path}")
            if key == "aggregate_id" and isinstance(item, str):
                root = re.split(r"[:/]", item, maxsplit=1)[0]
                if root in deny.aggregate_roots:
                    hits.append(f"{where}: aggregate_id root {root!r} at {path}")
            hits += scan_json(item, where, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            hits += scan_json(item, where, f"{path}[{i}]")
    elif isinstance(value, str):
        if value in whole:
            hits.append(f"{where}: value {value!r} at {path}")
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and len(stripped) > 1:
            try:
                inner = json.loads(stripped)
            except ValueError:
                pass
            else:
                hits += scan_json(inner, where, f"{path}<json>")
    return hits


def scan_document(text: str, where: str) -> list[str]:
    """Text scan plus a structured scan of the text as JSON, or of each JSON line."""
    hits = scan_text(text, where)
    try:
        hits += scan_json(json.loads(text), where)
    except ValueError:
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip()[:1] in ("{", "["):
                with contextlib.suppress(ValueError):
                    hits += scan_json(json.loads(line), f"{where}:{number}")
    return hits


def sqlite_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (schema included) of a SQLite file, read from a copy (WAL included)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy2(path, copy)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                shutil.copy2(side, copy.with_name(copy.name + suffix))
        conn = sqlite3.connect(copy)
        try:
            out: dict[str, list[tuple[Any, ...]]] = {
                "sqlite_master": conn.execute("SELECT * FROM sqlite_master").fetchall()
            }
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                out[table] = conn.execute(f'SELECT * FROM "{table}"').fetchall()
        finally:
            conn.close()
    return out


@dataclass
class TreeScan:
    files: int = 0
    sqlite_files: int = 0
    sqlite_rows: int = 0
    hits: list[str] = field(default_factory=list)


def tree_files(root: Path) -> Iterator[Path]:
    """Every file under ``root``, skipping git's own metadata (.git dirs and worktree .git files)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            if name != ".git":
                yield Path(dirpath) / name


def scan_tree(*roots: Path) -> TreeScan:
    """Scan every file written under ``roots``: raw bytes as text, JSON structure, SQLite rows."""
    report = TreeScan()
    for root in roots:
        for path in tree_files(root):
            report.files += 1
            data = path.read_bytes()
            where = str(path.relative_to(root))
            # Raw bytes as latin-1: catches words inside any file, WAL pages included.
            report.hits += scan_text(data.decode("latin-1"), where)
            if data.startswith(SQLITE_MAGIC):
                report.sqlite_files += 1
                for table, rows in sqlite_dump(path).items():
                    report.sqlite_rows += len(rows)
                    for i, row in enumerate(rows):
                        report.hits += scan_json(list(row), f"{where}:{table}[{i}]")
                        report.hits += scan_text(repr(row), f"{where}:{table}[{i}]")
            else:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                report.hits += [h for h in scan_document(text, where) if h not in report.hits]
    return report


def scan_results(results: Iterable[Result]) -> list[str]:
    hits: list[str] = []
    for r in results:
        where = "stdout of spec-kitty " + " ".join(r.args)
        hits += scan_document(r.stdout, where)
    return hits


def scan_requests(requests: Iterable[Request]) -> list[str]:
    hits: list[str] = []
    for i, r in enumerate(requests):
        where = f"request {i} {r.method} {r.path}"
        hits += scan_text(r.text(), where)
        with contextlib.suppress(ValueError):
            hits += scan_json(r.json(), where)
    return hits


def run_in_process(cwd: Path, *args: str) -> Result:
    """Run the installed CLI in this process (``spec_kitty_cli.main.run``) from ``cwd``."""
    import contextlib

    from spec_kitty_cli.main import run

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(list(args))
    finally:
        os.chdir(previous)
    return Result(tuple(args), code, out.getvalue(), err.getvalue())
