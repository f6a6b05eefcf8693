"""Executable documentation: the examples in docs/*.md run against the real `spec-kitty` CLI.

Convention (also written up in docs/README.md):

- A ```` ```console ```` block holds commands, one per ``$ `` line (``\\`` continues a line).
  ``spec-kitty`` runs as ``[sys.executable, "-m", "spec_kitty_cli"]``; ``git`` is allowed too.
  Leading ``NAME=value`` words set the environment of that command; ``printf %s WORD |`` or
  ``echo WORD |`` in front feeds stdin; ``$NAME`` expands harness variables (``$STUB_URL``, ...)
  and the page's environment. A trailing ``# exit N`` states the expected exit code (default 0).
- The next ```` ```json ```` (or ```` ```text ````) block after a console block is the expected
  stdout of that block's last command, matched structurally (see :func:`match`).
- ```` ```http ```` blocks show HTTP traffic the CLI had with the loopback SaaS stub during the
  last command: a request (``POST /path HTTP/1.1``, headers, blank line, JSON body, shown
  decompressed) is matched against the first unclaimed recorded request with that method and
  path; a response (``HTTP/1.1 201 Created`` ...) against the answer to that request. Only the
  headers written are checked.
- A fenced block with ``file=PATH`` in its info string is written to PATH (relative to the
  project) before the next command; with ``expect-file=PATH`` the file is compared (json, yaml,
  or jsonl: the file's last lines).
- ``<!-- docs-setup ... -->`` holds hidden setup, one directive a line: ``$ command``,
  ``stub`` (start the stub: $STUB_URL, $STUB_TOKEN), ``env NAME=VALUE``, ``unset NAME``,
  ``tracker-answer NAME {json}``, ``fault PATH STATUS [retry-after=S] [{json}]``,
  ``write PATH`` / ``sqlite PATH`` followed by lines up to ``EOF``.

Placeholders in expected values: the whole value ``"<int>"``, ``"<number>"``, ``"<bool>"``,
``"<any>"``, ``"<object>"``, ``"<list>"``; inside strings ``<ulid>``, ``<uuid>``,
``<timestamp>`` (UTC ISO 8601), ``<hexN>`` (N lowercase hex digits), ``<abs-path>``,
``<project>`` (the project root), ``<home>``, ``<version>``, ``<digits>``, ``<str>``; a
``:name`` suffix (``<ulid:mission>``) binds the value: later uses on the page must be equal.
A list ending in ``"<...>"`` allows more items; an object with the key ``"<...>"`` more keys.
Every json/http/yaml block must be consumed by one of these rules; otherwise it is an error.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saas_stub import SaasStub

FENCE = re.compile(r"^(`{3,})\s*([^`]*)$")
EXIT_NOTE = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")
TOKEN = re.compile(r"<([a-z][a-z0-9-]*|\.\.\.)(?::([a-z][a-z0-9_]*))?>")
STUB_TOKEN = "docs-example-token"
STRING_TOKENS = {
    "ulid": r"[0-9A-HJKMNP-TV-Z]{26}",
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "timestamp": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:\+00:00|Z)",
    "abs-path": r"/[^\s\"']*",
    "version": r"\d+\.\d+\.\d+[0-9A-Za-z.+-]*",
    "digits": r"\d+",
    "int": r"-?\d+",
    "str": r".+?",
    "any": r".*?",
}
WHOLE_TYPES = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "any": lambda v: True,
    "object": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}
MORE = "<...>"


# -- parsing ------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Step:
    """One thing a page does, in document order. ``kind`` decides which fields matter."""

    page: str
    line: int
    kind: str  # setup | command | stdout | http | write | expect-file | unchecked
    text: str = ""
    info: dict[str, str] = field(default_factory=dict)
    lang: str = ""

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}:{self.kind}"


def _info(raw: str) -> tuple[str, dict[str, str]]:
    words = raw.split()
    lang = words[0] if words else ""
    attrs = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
    return lang, attrs


def parse_page(path: Path) -> list[Step]:
    """Split a markdown page into steps (see the module doc)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    i, after_console = 0, False
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("<!-- docs-setup"):
            start, body = i, []
            rest = line.strip()[len("<!-- docs-setup") :]
            while "-->" not in rest:
                body.append(rest)
                i += 1
                rest = lines[i]
            body.append(rest.split("-->", 1)[0])
            text = "\n".join(body).strip("\n")
            steps.append(Step(page=path.name, line=start + 1, kind="setup", text=text))
            i += 1
            continue
        fence = FENCE.match(line.strip())
        if fence is None:
            i += 1
            continue
        ticks, (lang, attrs) = fence.group(1), _info(fence.group(2))
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].strip() != ticks:
            body.append(lines[i])
            i += 1
        i += 1
        text = "\n".join(body)
        step = Step(page=path.name, line=start + 1, kind="unchecked", text=text, lang=lang)
        step.info = attrs
        if "file" in attrs:
            step.kind = "write"
        elif "expect-file" in attrs:
            step.kind = "expect-file"
        elif lang == "console":
            step.kind = "command"
        elif lang == "http":
            step.kind = "http"
        elif lang in ("json", "text") and after_console:
            step.kind = "stdout"
        elif lang not in ("json", "jsonl", "yaml", "http") or "not-executed" in attrs:
            step.kind = "prose"
        after_console = step.kind == "command"
        steps.append(step)
    return [s for s in steps if s.kind != "prose"]


def command_lines(text: str) -> list[str]:
    """The ``$`` lines of a console block, continuation lines joined."""
    out: list[str] = []
    for raw in text.splitlines():
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + " " + raw.strip()
        elif raw.startswith("$ "):
            out.append(raw[2:].strip())
    return out


# -- matching -----------------------------------------------------------------------------------


class Bindings(dict[str, str]):
    """Values bound by ``<kind:name>`` placeholders, shared by one page."""


def _string_regex(template: str, bound: Bindings, fixed: dict[str, str]) -> re.Pattern[str]:
    parts, pos, seen = [], 0, set()
    for m in TOKEN.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        kind, name = m.group(1), m.group(2)
        if kind in fixed:
            rx = re.escape(fixed[kind])
        elif kind.startswith("hex") and kind[3:].isdigit():
            rx = f"[0-9a-f]{{{int(kind[3:])}}}"
        elif kind in STRING_TOKENS:
            rx = STRING_TOKENS[kind]
        else:  # not a placeholder: literal text such as `<mission>` in a message
            rx = re.escape(m.group(0))
            name = None
        if name is not None:
            if name in bound:
                rx = re.escape(bound[name])
            elif name in seen:
                rx = f"(?P={name})"
            else:
                rx = f"(?P<{name}>{rx})"
                seen.add(name)
        parts.append(rx)
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.DOTALL)


def match(
    expected: Any, actual: Any, where: str, bound: Bindings, fixed: dict[str, str]
) -> list[str]:
    """Structural comparison; returns the problems (empty when ``actual`` fits)."""
    if isinstance(expected, str):
        whole = TOKEN.fullmatch(expected)
        if whole and whole.group(1) in WHOLE_TYPES:
            ok = WHOLE_TYPES[whole.group(1)](actual)
            return [] if ok else [f"{where}: expected {expected}, got {actual!r}"]
        if not isinstance(actual, str):
            return [f"{where}: expected a string like {expected!r}, got {actual!r}"]
        found = _string_regex(expected, bound, fixed).fullmatch(actual)
        if found is None:
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        bound.update({k: v for k, v in found.groupdict().items() if v is not None})
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        open_ended = MORE in expected
        keys = set(expected) - {MORE}
        problems = []
        missing = sorted(keys - set(actual))
        extra = sorted(set(actual) - keys)
        if missing:
            problems.append(f"{where}: missing key(s) {missing}")
        if extra and not open_ended:
            problems.append(f"{where}: unexpected key(s) {extra}")
        for key in sorted(keys & set(actual)):
            problems += match(expected[key], actual[key], f"{where}.{key}", bound, fixed)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        head = expected[:-1] if expected and expected[-1] == MORE else expected
        if len(actual) < len(head) or (head is expected and len(actual) != len(head)):
            return [f"{where}: expected {len(head)} item(s), got {len(actual)}: {actual!r}"]
        problems = []
        for index, item in enumerate(head):
            problems += match(item, actual[index], f"{where}[{index}]", bound, fixed)
        return problems
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


# -- the loopback SaaS, recording every exchange -----------------------------------------------


@dataclass(kw_only=True)
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None
    claimed: bool = False


class RecordingStub(SaasStub):
    """The integration suite's SaaS stub, recording every request and answer, with faults."""

    def __init__(self) -> None:
        super().__init__(token=STUB_TOKEN)
        self.exchanges: list[Exchange] = []
        self.path_faults: list[tuple[str, int, dict[str, str], Any]] = []
        self._current = threading.local()

    def _handle(self, req: Any) -> None:
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        req.rfile = io.BytesIO(raw)
        decoded = gzip.decompress(raw) if req.headers.get("Content-Encoding") == "gzip" else raw
        try:
            body = json.loads(decoded) if decoded else None
        except ValueError:
            body = decoded.decode("utf-8", "replace")
        path = req.path.split("?", 1)[0]
        exchange = Exchange(method="POST", path=path, headers=dict(req.headers), body=body)
        with self.lock:
            self.exchanges.append(exchange)
            fault = next((f for f in self.path_faults if f[0] == path), None)
            if fault is not None:
                self.path_faults.remove(fault)
        self._current.exchange = exchange
        if fault is not None:
            self._reply(req, fault[1], fault[3], fault[2])
        else:
            super()._handle(req)

    def _reply(  # type: ignore[override]
        self, req: Any, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        exchange = getattr(self._current, "exchange", None)
        if exchange is not None:
            exchange.status, exchange.response_body = status, body
            exchange.response_headers = {"Content-Type": "application/json", **(headers or {})}
        SaasStub._reply(req, status, body, headers)


# -- running a page -----------------------------------------------------------------------------


class ExampleError(AssertionError):
    pass


class PageRun:
    """Runs one page's steps in one fresh git project; results keyed by step id."""

    def __init__(self, steps: list[Step], workdir: Path) -> None:
        self.steps = steps
        self.root = (workdir / "project").resolve()
        self.home = (workdir / "home").resolve()
        self.root.mkdir(parents=True)
        self.home.mkdir(parents=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SPEC_KITTY", "SPECIFY", "GIT_", "COLUMNS", "XDG_"))
        }
        # No SPEC_KITTY_HOME: the pages show the paths a user gets (the platform's user data
        # folder under HOME), so a path written in the docs is the one the CLI uses.
        env.update(
            HOME=str(self.home),
            GIT_AUTHOR_NAME="Docs",
            GIT_AUTHOR_EMAIL="docs@example.com",
            GIT_COMMITTER_NAME="Docs",
            GIT_COMMITTER_EMAIL="docs@example.com",
            GIT_CONFIG_NOSYSTEM="1",
            NO_COLOR="1",
            COLUMNS="200",
        )
        self.env = env
        self.vars: dict[str, str] = {"PROJECT": str(self.root), "HOME": str(self.home)}
        self.bound = Bindings()
        self.fixed = {"project": str(self.root), "home": str(self.home)}
        self.stub: RecordingStub | None = None
        self.window: list[Exchange] = []
        self.last: tuple[str, subprocess.CompletedProcess[str]] | None = None
        self.last_exchange: Exchange | None = None
        self.results: dict[str, str | None] = {}
        self.commands = 0
        self._git("init", "-q", "-b", "main")
        self._git("config", "user.email", "docs@example.com")
        self._git("config", "user.name", "Docs")
        self._git("commit", "-q", "--allow-empty", "-m", "initial commit")

    def _git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.root, env=self.env, check=True, capture_output=True)

    def close(self) -> None:
        if self.stub is not None:
            self.stub.stop()

    def run(self) -> dict[str, str | None]:
        try:
            for step in self.steps:
                try:
                    getattr(self, "_" + step.kind.replace("-", "_"))(step)
                except ExampleError as exc:
                    self.results[step.id] = str(exc)
                except Exception as exc:  # the harness itself: still name the example
                    self.results[step.id] = f"{type(exc).__name__}: {exc}"
                else:
                    self.results[step.id] = None
        finally:
            self.close()
        return self.results

    # -- commands -------------------------------------------------------------------------------

    def _expand(self, word: str) -> str:
        def value(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            found = self.vars.get(name, self.env.get(name))
            if found is None:
                raise ExampleError(f"${name} is not set")
            return found

        def cat(m: re.Match[str]) -> str:
            return self._path(m.group(1).strip()).read_text(encoding="utf-8").strip()

        word = re.sub(r"\$\(cat ([^)]+)\)", cat, word)
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, word)

    def execute(self, line: str) -> subprocess.CompletedProcess[str]:
        expected_exit = 0
        note = EXIT_NOTE.search(line)
        if note:
            expected_exit, line = int(note.group(1)), line[: note.start()]
        stdin = None
        if "|" in line:
            feed, line = (part.strip() for part in line.split("|", 1))
            words = [self._expand(w) for w in shlex.split(feed)]
            if words[:2] == ["printf", "%s"] and len(words) == 3:
                stdin = words[2]
            elif words[:1] == ["echo"]:
                stdin = " ".join(words[1:]) + "\n"
            else:
                raise ExampleError(f"unsupported pipe source {feed!r}")
        words = [self._expand(w) for w in shlex.split(line)]
        env = dict(self.env)
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            name, _, val = words.pop(0).partition("=")
            env[name] = val
        if words[:1] == ["spec-kitty"]:
            argv = [sys.executable, "-m", "spec_kitty_cli", *words[1:]]
        elif words[:1] == ["git"]:
            argv = words
        else:
            raise ExampleError(f"only spec-kitty and git commands run in docs: {line!r}")
        self.window = []
        mark = len(self.stub.exchanges) if self.stub else 0
        proc = subprocess.run(
            argv, cwd=self.root, env=env, input=stdin, capture_output=True, text=True, timeout=120
        )
        self.commands += 1
        if self.stub is not None:
            self.window = self.stub.exchanges[mark:]
        self.last = (line, proc)
        if proc.returncode != expected_exit:
            raise ExampleError(
                f"`{line}` exited {proc.returncode}, expected {expected_exit}\n"
                f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
            )
        return proc

    def _command(self, step: Step) -> None:
        lines = command_lines(step.text)
        if not lines:
            raise ExampleError("console block without a `$ ` command line")
        for line in lines:
            self.execute(line)

    def _check(self, expected: Any, actual: Any, what: str) -> None:
        problems = match(expected, actual, "$", self.bound, self.fixed)
        if problems:
            shown = json.dumps(actual, indent=2)[:3000]
            raise ExampleError(f"{what} does not match:\n  " + "\n  ".join(problems) + f"\n{shown}")

    def _stdout(self, step: Step) -> None:
        if self.last is None:
            raise ExampleError("no command ran before this output block")
        line, proc = self.last
        if step.lang == "text":
            self._check(step.text.strip(), proc.stdout.strip(), f"stdout of `{line}`")
            return
        try:
            actual = json.loads(proc.stdout)
        except ValueError as exc:
            raise ExampleError(
                f"stdout of `{line}` is not one JSON document: {proc.stdout!r}"
            ) from exc
        self._check(json.loads(step.text), actual, f"stdout of `{line}`")

    # -- files ------------------------------------------------------------------------------------

    def _path(self, rel: str) -> Path:
        path = (self.root / self._expand(rel)).resolve()
        if not path.is_relative_to(self.root) and not path.is_relative_to(self.home):
            raise ExampleError(f"{rel} is outside the project")
        return path

    def _write(self, step: Step) -> None:
        path = self._path(step.info["file"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(step.text + "\n", encoding="utf-8")

    def _expect_file(self, step: Step) -> None:
        path = self._path(step.info["expect-file"])
        if not path.is_file():
            raise ExampleError(f"{path} does not exist")
        text = path.read_text(encoding="utf-8")
        if step.lang == "jsonl":
            want = [json.loads(x) for x in step.text.splitlines() if x.strip()]
            have = [json.loads(x) for x in text.splitlines() if x.strip()][-len(want) :]
            self._check(want, have, f"the last {len(want)} line(s) of {path.name}")
        elif step.lang == "yaml":
            import yaml

            self._check(yaml.safe_load(step.text), yaml.safe_load(text), str(path.name))
        else:
            self._check(json.loads(step.text), json.loads(text), str(path.name))

    # -- http -------------------------------------------------------------------------------------

    def _http(self, step: Step) -> None:
        head, _, body_text = step.text.partition("\n\n")
        first, *header_lines = head.splitlines()
        headers = dict(h.split(": ", 1) for h in header_lines if h.strip())
        body = json.loads(body_text) if body_text.strip() else None
        if first.startswith("HTTP/"):
            ex = self.last_exchange
            if ex is None:
                raise ExampleError("a response block needs a request block before it")
            status = int(first.split()[1])
            if ex.status != status:
                raise ExampleError(f"{ex.method} {ex.path} was answered {ex.status}, not {status}")
            self._headers(headers, ex.response_headers, f"response to {ex.path}")
            self._check(body, ex.response_body, f"response body of {ex.method} {ex.path}")
            return
        method, path, _ = first.split()
        if self.last is None:
            raise ExampleError("a request block needs a command before it")
        ex = next(
            (e for e in self.window if e.method == method and e.path == path and not e.claimed),
            None,
        )
        if ex is None:
            seen = [f"{e.method} {e.path}" for e in self.window]
            raise ExampleError(f"`{self.last[0]}` sent no (further) {method} {path}; sent: {seen}")
        ex.claimed = True
        self.last_exchange = ex
        self._headers(headers, ex.headers, f"request {method} {path}")
        self._check(body, ex.body, f"request body of {method} {path}")

    def _headers(self, want: dict[str, str], have: dict[str, str], what: str) -> None:
        lower = {k.lower(): v for k, v in have.items()}
        for name, value in want.items():
            if name.lower() not in lower:
                raise ExampleError(f"{what}: no {name} header (headers: {sorted(have)})")
            self._check(value, lower[name.lower()], f"{what} header {name}")

    # -- hidden setup ----------------------------------------------------------------------------

    def _setup(self, step: Step) -> None:
        lines = step.text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            i += 1
            if not line:
                continue
            verb, _, rest = line.partition(" ")
            if line.startswith("$ "):
                self.execute(line[2:])
            elif verb == "stub":
                self.stub = RecordingStub().start()
                self.vars.update(STUB_URL=self.stub.url, STUB_TOKEN=STUB_TOKEN)
            elif verb == "env":
                name, _, value = rest.partition("=")
                self.env[name] = self._expand(value)
            elif verb == "unset":
                self.env.pop(rest, None)
            elif verb == "tracker-answer":
                name, _, answer = rest.partition(" ")
                assert self.stub is not None, "start the stub first"
                self.stub.tracker_answers[name] = json.loads(answer)
            elif verb == "fault":
                path, status, *more = rest.split(" ", 2)
                headers: dict[str, str] = {}
                tail = more[0] if more else ""
                if tail.startswith("retry-after="):
                    value, _, tail = tail.partition(" ")
                    headers["Retry-After"] = value.split("=", 1)[1]
                assert self.stub is not None, "start the stub first"
                body = json.loads(tail) if tail.strip() else {"error": "injected"}
                self.stub.path_faults.append((path, int(status), headers, body))
            elif verb in ("write", "sqlite"):
                body = []
                while lines[i].strip() != "EOF":
                    body.append(lines[i])
                    i += 1
                i += 1
                target = self._path(rest)
                target.parent.mkdir(parents=True, exist_ok=True)
                if verb == "write":
                    target.write_text("\n".join(body) + "\n", encoding="utf-8")
                else:
                    with sqlite3.connect(target) as db:
                        db.executescript("\n".join(body))
                    db.close()
            else:
                raise ExampleError(f"unknown setup directive {line!r}")

    def _unchecked(self, step: Step) -> None:
        raise ExampleError(
            f"```{step.lang} block is not checked by anything: put it after a console block, "
            "give it file=/expect-file=, or mark it not-executed"
        )
