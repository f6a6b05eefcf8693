"""Scanning a status log for every problem at once (for `spec-kitty doctor`), never raising.

``read_log`` stops at the first bad line, as a command must; a health check wants all of them,
each with its line number, code and message. Same rules as the reader: bounds first, then JSON,
then the canonical keys and values of a line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._log import MAX_LOG_BYTES, _bounded, _check_line, _complete
from .errors import StatusLegacyError, StatusLogError


@dataclass(frozen=True, kw_only=True)
class LogProblem:
    """One bad line: its number, the code a reader would refuse it with, and why."""

    line: int | None
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LogScan:
    """What a scan of one log found."""

    path: Path
    exists: bool
    lines: int = 0
    problems: list[LogProblem] = field(default_factory=list)
    torn_tail: bool = False


def _problem(lineno: int, exc: StatusLogError | StatusLegacyError) -> LogProblem:
    details = {k: v for k, v in exc.details.items() if k not in ("file", "line")}
    return LogProblem(line=lineno, code=exc.code, message=exc.message, details=details)


def scan_log(path: Path) -> LogScan:
    """Every problem of ``path`` (a missing log is no problem: nothing was recorded yet)."""
    from spec_kitty_identity import read_bounded

    try:
        raw = read_bounded(path, MAX_LOG_BYTES)
    except FileNotFoundError:
        return LogScan(path=path, exists=False)
    except (OSError, ValueError) as exc:
        problem = LogProblem(line=None, code="STATUS_LOG_UNREADABLE", message=str(exc))
        return LogScan(path=path, exists=True, problems=[problem])
    cut = raw.rfind(b"\n") + 1
    body, tail, torn = raw[:cut], raw[cut:], False
    if tail.strip():
        try:
            _complete(tail)
            body = raw
        except ValueError:
            torn = True
    problems: list[LogProblem] = []
    count = 0
    for lineno, chunk in enumerate(body.split(b"\n"), start=1):
        if not chunk.strip():
            continue
        count += 1
        try:
            line = chunk.decode("utf-8")
            _bounded(path, lineno, line)
            _check_line(path, lineno, json.loads(line))
        except UnicodeDecodeError as exc:
            message = f"{path}:{lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            problems.append(
                LogProblem(
                    line=lineno,
                    code="STATUS_LOG_CORRUPT",
                    message=message,
                    details={"reason": "not_utf8"},
                )
            )
        except (StatusLogError, StatusLegacyError) as exc:
            problems.append(_problem(lineno, exc))
        except ValueError as exc:
            problems.append(
                LogProblem(
                    line=lineno,
                    code="STATUS_LOG_CORRUPT",
                    message=f"{path}:{lineno}: not valid JSON ({exc})",
                    details={"reason": "invalid_json"},
                )
            )
    return LogScan(path=path, exists=True, lines=count, problems=problems, torn_tail=torn)
