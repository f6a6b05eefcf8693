"""The batch endpoint's answers, checked field by field BEFORE anything of them is stored.

A server answer is untrusted input. Every field the drain uses gets a type, range and shape
check; one bad field makes the whole answer a ``SYNC_ANSWER_INVALID`` error for that batch
(AnswerInvalidError, exit 1: a server fault), and nothing of it is written: no event state, no
rejection reason, no clock merge.

200 answer::

    {"results": [{"event_id": ULID|UUID, "status": "success"|"duplicate"|"rejected",
                  "error"|"error_message"|"reason"|"detail"?: str|null,
                  "lamport_clock"?: int}],            # at most MAX_RESULTS items
     "server_clock"?: int|null}

A clock value is an int (not a bool) in [0, 2**63 - 2] that moves the local clock forward by
at most ``MAX_CLOCK_ADVANCE``; reasons are strings, cut to ``MAX_REASON_CHARS``. Unknown keys
are ignored. 400 answer: ``details`` is absent, or a list (or a JSON string of a list) of
``{"event_id", reason keys}`` items with the same checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from spec_kitty_bodysync.errors import AnswerInvalidError

MAX_INT64 = 2**63 - 1
MAX_CLOCK_ADVANCE = 1_000_000_000  # one answer may move the clock this far ahead, no further
MAX_RESULTS = 2000
MAX_REASON_CHARS = 1000
STATUSES = frozenset({"success", "duplicate", "rejected"})
REASON_KEYS = ("error", "error_message", "reason", "detail")
_EVENT_ID = re.compile(
    r"^(?:[0-7][0-9A-HJKMNP-TV-Z]{25}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


@dataclass(frozen=True, kw_only=True)
class BatchResult:
    event_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheckedAnswer:
    results: dict[str, BatchResult]
    clock: int | None  # the highest clock value of the answer (None: it carries none)


class _Checker:
    def __init__(self, url: str) -> None:
        self.url = url

    def fail(self, where: str, problem: str) -> AnswerInvalidError:
        return AnswerInvalidError(
            f"the server's answer to POST {self.url} is invalid at {where}: {problem}; "
            "nothing of it was stored and the events stay pending",
            details={"url": self.url, "field": where, "problem": problem},
        )

    def item(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected an object, got {type(raw).__name__}")
        event_id = raw.get("event_id")
        if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
            raise self.fail(f"{where}.event_id", "expected a ULID or UUID string")
        return raw

    def reason(self, raw: dict[str, Any], where: str) -> str | None:
        for key in REASON_KEYS:
            value = raw.get(key)
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                raise self.fail(f"{where}.{key}", f"expected a string, got {type(value).__name__}")
            return value[:MAX_REASON_CHARS]
        return None

    def clock(self, value: Any, where: str, local: int) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, f"expected an integer, got {type(value).__name__}")
        if not 0 <= value < MAX_INT64:
            raise self.fail(where, "out of range: a Lamport clock is an integer in [0, 2**63-2]")
        if value > local + MAX_CLOCK_ADVANCE:
            raise self.fail(
                where, f"moves the clock forward by more than {MAX_CLOCK_ADVANCE} (local {local})"
            )
        return value


def check_results(body: dict[str, Any], *, url: str, local_clock: int) -> CheckedAnswer:
    """The 200 answer's results by event id and its clock, or AnswerInvalidError."""
    checker = _Checker(url)
    results = body.get("results")
    if not isinstance(results, list) or len(results) > MAX_RESULTS:
        raise checker.fail("results", f"expected a list of at most {MAX_RESULTS} items")
    clocks = [checker.clock(body.get("server_clock"), "server_clock", local_clock)]
    by_id: dict[str, BatchResult] = {}
    for n, raw in enumerate(results):
        where = f"results[{n}]"
        item = checker.item(raw, where)
        status = item.get("status")
        if not isinstance(status, str) or status not in STATUSES:
            raise checker.fail(f"{where}.status", f"expected one of {sorted(STATUSES)}")
        if item["event_id"] in by_id:
            raise checker.fail(f"{where}.event_id", "the same event is answered twice")
        reason = checker.reason(item, where) if status == "rejected" else None
        clocks.append(
            checker.clock(item.get("lamport_clock"), f"{where}.lamport_clock", local_clock)
        )
        by_id[item["event_id"]] = BatchResult(
            event_id=item["event_id"], status=status, reason=reason
        )
    known = [c for c in clocks if c is not None]
    return CheckedAnswer(results=by_id, clock=max(known) if known else None)


def check_details(body: Any, *, url: str) -> list[BatchResult]:
    """The events a 400 answer names as rejected ([] when it names none), or AnswerInvalidError."""
    checker = _Checker(url)
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except (ValueError, RecursionError):
            return []
    if not isinstance(details, list):
        return []
    if len(details) > MAX_RESULTS:
        raise checker.fail("details", f"more than {MAX_RESULTS} items")
    named = []
    for n, raw in enumerate(details):
        item = checker.item(raw, f"details[{n}]")
        reason = checker.reason(item, f"details[{n}]") or "rejected by the server"
        named.append(BatchResult(event_id=item["event_id"], status="rejected", reason=reason))
    return named
