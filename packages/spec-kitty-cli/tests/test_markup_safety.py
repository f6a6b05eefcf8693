"""Values print as written: rich markup and emoji codes in a title, URL or path are text.

rich reads `[bold]` as a style, `[/]` as a closing tag (a stray one raises MarkupError, which was
an INTERNAL_ERROR) and `:x:` as an emoji. Any value that comes from a file, the queue, a server
or the user must reach a person unchanged. Two checks:

- a source rule: in every rich call of spec_kitty_cli (`print`, `add_row`, `add_column`,
  `Table(title=...)`), every value put into an f-string is `escape()`d, unless the call passes
  ``markup=False`` or the value is one of the few listed below, which are built from escaped
  parts or are numbers;
- the real commands, on a project whose titles, selectors and server URL carry markup.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import spec_kitty_cli

SRC = Path(spec_kitty_cli.__file__).parent
RICH_CALLS = {"print", "add_row", "add_column", "Table", "rule"}
SAFE_CALLS = {"escape", "len", "str.join"}
# Names that hold text built from escaped parts, our own markup, or numbers (each checked by eye
# where it is assigned; keep this list short).
SAFE_NAMES = {
    "apply",  # a fixed command line
    "change",  # escaped with its row by the enclosing escape()
    "changed",  # a count
    "color",  # a style name from a fixed table
    "forced",  # a fixed string
    "head",  # built with escape()
    "label",  # escaped where assigned
    "lane",  # a key of the fixed lane table
    "mark",  # our own markup
    "moved",  # built with escape()
    "name",  # a doctor check's name (a fixed tuple)
    "resumed",  # a fixed string
    "rows",  # a count
    "shown",  # "N of M"
    "slug",  # escaped where assigned
    "style",  # a style name from a fixed table
    "title",  # built with escape()
    "verb",  # a fixed word
    "where",  # escaped where assigned
    "which",  # a fixed phrase
    "more",  # a fixed phrase
    "key",  # a fixed field name of a loop over a literal tuple
}
# Trailing keys/attributes that are counts or ids we minted (ints, ULIDs).
SAFE_FIELDS = {
    "delivered",
    "duplicate",
    "rejected",
    "pending",
    "steps_done",
    "steps_total",
    "mission_number",
    "done_count",
    "total_wps",
    "done_percentage",
    "summary",
    "enqueued",
    "already_queued",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _safe(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Call) and _name(expr.func) in SAFE_CALLS:
        return True
    if (  # a lookup in a fixed UPPER_CASE table, e.g. STATE_STYLE.get(state, "white")
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and isinstance(expr.func.value, ast.Name)
        and expr.func.value.id.isupper()
    ):
        return True
    if isinstance(expr, ast.Name):
        return expr.id in SAFE_NAMES
    if isinstance(expr, ast.Attribute):
        return expr.attr in SAFE_FIELDS
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and key.value in SAFE_FIELDS:
            return True
        return _safe(expr.value) and isinstance(expr.value, ast.Subscript | ast.Name)
    if isinstance(expr, ast.IfExp):
        return _safe(expr.body) and _safe(expr.orelse)
    return False


def _unescaped(node: ast.AST) -> Iterator[ast.FormattedValue]:
    """Formatted values inside ``node`` that reach rich unescaped (not under an escape())."""
    if isinstance(node, ast.Call) and _name(node.func) == "escape":
        return
    if isinstance(node, ast.FormattedValue) and not _safe(node.value):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _unescaped(child)


def _findings() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in RICH_CALLS):
                continue
            if any(k.arg == "markup" for k in node.keywords):
                continue
            if _name(node.func) == "print" and isinstance(node.func, ast.Name):
                continue  # the builtin print never reads markup
            parts = [*node.args, *(k.value for k in node.keywords if k.arg in ("title",))]
            for part in parts:
                for value in _unescaped(part):
                    rel = path.relative_to(SRC)
                    found.append(f"{rel}:{value.lineno}: {ast.unparse(value.value)}")
    return found


def test_every_value_in_rich_output_is_escaped() -> None:
    assert _findings() == []


def test_the_rule_catches_an_unescaped_value() -> None:
    bad = ast.parse("out.print(f'[bold]{row[\"title\"]}[/]')")
    good = ast.parse("out.print(f'[bold]{escape(row[\"title\"])}[/]')")
    assert [ast.unparse(v.value) for v in _unescaped(bad)] == ["row['title']"]
    assert list(_unescaped(good)) == []


HOSTILE = "Cart [/] [bold]x :x: done"


def _mission(project: Path, run_cli: Callable[..., Any]) -> str:
    created = run_cli("agent", "mission", "create", HOSTILE, "--json", cwd=project)
    assert created.exit_code == 0, created.stdout
    tasks = Path(created.json()["mission_dir"]) / "tasks"
    (tasks / "WP01-cart.md").write_text(
        f'---\nwork_package_id: WP01\ntitle: "{HOSTILE}"\n---\n', encoding="utf-8"
    )
    slug = str(created.json()["mission_slug"])
    assert run_cli("agent", "tasks", "finalize", "--mission", slug).exit_code == 0
    return slug


@pytest.mark.parametrize(
    "argv",
    [
        ("status", "--mission", "{m}"),
        ("mission", "list"),
        ("mission", "info", "{m}"),
        (
            "agent",
            "tasks",
            "move",
            "WP01",
            "--mission",
            "{m}",
            "--to",
            "blocked",
            "--note",
            HOSTILE,
        ),
    ],
    ids=["status", "mission list", "mission info", "move"],
)
def test_titles_with_markup_print_as_written(
    project: Path, run_cli: Callable[..., Any], argv: tuple[str, ...]
) -> None:
    slug = _mission(project, run_cli)
    result = run_cli(*(a.replace("{m}", slug) for a in argv), cwd=project)
    assert result.exit_code == 0, result.stderr
    text = " ".join((result.stdout + result.stderr).split())
    assert "❌" not in text
    if argv[0] != "agent":  # each piece as written (a table may wrap the title in its cell)
        for piece in ("[/]", "[bold]x", ":x:"):
            assert piece in text


def test_a_blocked_reason_with_markup_prints_as_written(
    project: Path, run_cli: Callable[..., Any]
) -> None:
    slug = _mission(project, run_cli)
    move = ("agent", "tasks", "move", "WP01", "--mission", slug, "--to", "blocked")
    assert run_cli(*move, "--note", "[/] :x: why").exit_code == 0
    board = run_cli("status", "--mission", slug, cwd=project)
    assert board.exit_code == 0
    assert "[/] :x: why" in board.stdout


def test_a_server_url_with_markup_prints_as_written(
    project: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://example.com/[/]x/:x:"
    login = run_cli("auth", "login", "--server", url, "--token-stdin", cwd=project, stdin="t\n")
    assert login.exit_code == 0, login.stdout + login.stderr
    assert url in login.stdout
    for argv in (("auth", "status"), ("sync", "status")):
        shown = run_cli(*argv, cwd=project)
        assert shown.exit_code == 0, shown.stderr
        assert url in shown.stdout
