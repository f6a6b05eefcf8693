"""docs/ cannot drift from the CLI: every example runs against the real `spec-kitty`.

Each page runs once, in order, in a fresh git project (see docs_harness and docs/README.md);
every example is its own test, named ``<page>:<line>:<kind>``. The CLI runs as
``python -m spec_kitty_cli`` subprocesses, so the suite exercises whatever is installed (the
workspace, or only the built wheels in the tox env ``wheels``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docs_harness import PageRun, Step, command_lines, parse_page

from sk_support import REPO

DOCS = REPO / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "README.md")
STEPS: list[Step] = [step for page in PAGES for step in parse_page(page)]
_RESULTS: dict[str, dict[str, str | None]] = {}

# Every command of the CLI: walked in a subprocess over the installed registry.
_WALK = r"""
import contextlib, io, json, click
from spec_kitty_cli.main import _build_cli, run

root = _build_cli()
found = {}

def walk(cmd, path):
    ctx = click.Context(cmd, info_name=path[-1] if path else "spec-kitty")
    if path:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = run([*path, "--help"])
        found[" ".join(path)] = {"exit": code, "help": out.getvalue()}
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            walk(cmd.get_command(ctx, name), [*path, name])

walk(root, [])
print(json.dumps(found))
"""


def _page_results(page: str, tmp_root: Path) -> dict[str, str | None]:
    if page not in _RESULTS:
        steps = [s for s in STEPS if s.page == page]
        _RESULTS[page] = PageRun(steps, tmp_root / page.removesuffix(".md")).run()
    return _RESULTS[page]


@pytest.fixture(scope="session")
def docs_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("docs")


def test_every_surface_has_a_page_and_the_index_links_them() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert len(PAGES) >= 6
    for page in PAGES:
        assert f"({page.name})" in index, f"docs/README.md does not link {page.name}"


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_example(step: Step, docs_tmp: Path) -> None:
    problem = _page_results(step.page, docs_tmp)[step.id]
    if problem is not None:
        pytest.fail(f"docs/{step.page} line {step.line} ({step.kind}): {problem}", pytrace=False)


def test_examples_run_the_cli_many_times() -> None:
    commands = [line for s in STEPS if s.kind == "command" for line in command_lines(s.text)]
    assert len(commands) >= 40
    checked = [s for s in STEPS if s.kind in ("stdout", "http", "expect-file")]
    assert len(checked) >= 40


def test_every_command_is_documented_and_has_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _WALK], capture_output=True, text=True, check=True, timeout=120
    )
    commands = json.loads(proc.stdout)
    from spec_kitty_cli._registry import AGENT_COMMANDS, COMMANDS

    assert set(COMMANDS) <= set(commands)
    assert {f"agent {name}" for name in AGENT_COMMANDS} <= set(commands)
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    undocumented = [path for path in commands if f"spec-kitty {path}" not in text]
    assert undocumented == [], f"commands the docs never mention: {undocumented}"
    for path, found in commands.items():
        assert found["exit"] == 0, path
        assert "Usage: spec-kitty" in found["help"], path
        body = found["help"].split("\n\n", 1)[-1].strip()
        assert body, f"`spec-kitty {path} --help` has no text"


def test_docs_never_place_current_state_in_the_legacy_folder() -> None:
    """spec-kitty 4 writes nothing to ~/.spec-kitty/: only legacy releases did.

    A page may name that folder only where it speaks of what older releases left there.
    """
    import re

    pages = sorted((REPO / "docs").glob("*.md"))
    assert pages
    wrong = []
    for page in pages:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(~|<home>)/\.spec-kitty/", line) and not re.search(
                r"legacy|releases?|\b[0-3]\.\d+(\.\d+|\.x)\b", line
            ):
                wrong.append(f"{page.name}:{number}: {line.strip()}")
    assert not wrong, "\n".join(wrong)
