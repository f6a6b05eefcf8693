"""Printing a `mission run` outcome: one JSON object, or a rich Panel.

Panel: title "Mission Run Started" (green) or the error code (red); body = the message, then
`  key: value` per detail (on success: feature_dir and run_dir), then `[warn] CODE: message` per
warning. Text is built with rich Text objects, so brackets in paths are never read as markup.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ._run import RunOutcome

SUCCESS_TITLE = "Mission Run Started"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def panel_text(outcome: RunOutcome) -> tuple[str, str]:
    """(title, body) of the Panel."""
    env = outcome.envelope
    if env["result"] == "success":
        title = SUCCESS_TITLE
        details = {"feature_dir": env["feature_dir"], "run_dir": env["run_dir"]}
    else:
        title = str(env["error_code"])
        details = env["details"]
    lines = [outcome.message]
    lines += [f"  {key}: {_value(value)}" for key, value in details.items()]
    lines += [f"[warn] {w['code']}: {w['message']}" for w in outcome.warnings]
    return title, "\n".join(lines)


def build_panel(outcome: Any) -> Any:
    """The rich Panel for an outcome (rich is imported here, not at start-up)."""
    from rich.panel import Panel
    from rich.text import Text

    title, body = panel_text(outcome)
    ok = outcome.envelope["result"] == "success"
    style = "green" if ok else "red"
    return Panel(
        Text(body),
        title=Text(title, style=f"bold {style}"),
        title_align="left",
        border_style=style,
        expand=False,
    )


def emit(outcome: RunOutcome, *, as_json: bool) -> int:
    """Print the outcome and return its exit code."""
    if as_json:
        sys.stdout.write(json.dumps(outcome.envelope, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        ok = outcome.envelope["result"] == "success"
        Console(stderr=not ok, highlight=False, emoji=False).print(build_panel(outcome))
    return outcome.exit_code
