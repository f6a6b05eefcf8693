"""Property-based fuzzing of everything a server sends back (issue 15: server answers).

The hostile loopback server (tests-integration/test_hostile_server.py) proves each class end to
end through the real CLI; here hypothesis generates the answers themselves, far more of them:

- the batch endpoint's 200 answer (`check_results`) and 400 answer (`check_details`): arbitrary
  JSON and valid answers with one field replaced by a hostile value. Either the answer is
  accepted, and then every accepted field has its type, shape and range, or it is refused with
  SYNC_ANSWER_INVALID. Nothing else ever escapes.
- the push-content answer (`classify`): any status and any body bytes give an outcome or one of
  the delivery errors, never another exception.
- the answer reader (`_bounded_body`): any bytes under any Content-Encoding, compressed or
  claiming to be, give at most ``cap`` bytes or AnswerTooLarge / AnswerInvalid.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec_kitty_bodysync._transport import classify
from spec_kitty_bodysync.delivery import Reply
from spec_kitty_bodysync.delivery._client import _bounded_body
from spec_kitty_bodysync.errors import (
    AnswerInvalidError,
    AnswerTooLargeError,
    DeliveryError,
    UploadAuthError,
)
from spec_kitty_cli._events._answer_check import (
    _EVENT_ID,
    MAX_CLOCK_ADVANCE,
    MAX_INT64,
    MAX_REASON_CHARS,
    STATUSES,
    check_details,
    check_results,
)

URL = "http://127.0.0.1:9/api/v1/events/batch/"
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["success", "duplicate", "rejected", "01J0000000000000000000000A", ""]),
)
json_values = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
ulids = st.from_regex(r"\A[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")


@st.composite
def near_valid_answers(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A well-formed 200 answer, then one field (or none) replaced by a hostile value."""
    local = draw(st.integers(min_value=0, max_value=2**40))
    ids = draw(st.lists(ulids, min_size=1, max_size=5, unique=True))
    results: list[Any] = [
        {
            "event_id": event_id,
            "status": draw(st.sampled_from(sorted(STATUSES))),
            "error": draw(st.one_of(st.none(), st.text(max_size=30))),
            "lamport_clock": draw(st.integers(min_value=0, max_value=local + MAX_CLOCK_ADVANCE)),
        }
        for event_id in ids
    ]
    body: dict[str, Any] = {"results": results, "server_clock": local + 1}
    where = draw(st.sampled_from(["none", "top", "item", "field"]))
    value = draw(json_values)
    if where == "top":
        body[draw(st.sampled_from(["results", "server_clock"]))] = value
    elif where == "item":
        results[draw(st.integers(0, len(results) - 1))] = value
    elif where == "field":
        item = results[draw(st.integers(0, len(results) - 1))]
        item[draw(st.sampled_from(["event_id", "status", "error", "reason", "lamport_clock"]))] = (
            value
        )
    return body, local


def _accepted_is_well_formed(answer: Any, local: int) -> None:
    for event_id, result in answer.results.items():
        assert _EVENT_ID.match(event_id) and result.event_id == event_id
        assert result.status in STATUSES
        assert result.reason is None or (
            isinstance(result.reason, str) and len(result.reason) <= MAX_REASON_CHARS
        )
    if answer.clock is not None:
        assert isinstance(answer.clock, int) and not isinstance(answer.clock, bool)
        assert 0 <= answer.clock < MAX_INT64
        assert answer.clock <= local + MAX_CLOCK_ADVANCE


@FUZZ
@given(body=json_values, local=st.integers(min_value=0, max_value=2**62))
def test_any_json_batch_answer_is_checked_or_refused(body: Any, local: int) -> None:
    if not isinstance(body, dict):
        body = {"results": body}
    try:
        answer = check_results(body, url=URL, local_clock=local)
    except AnswerInvalidError as exc:
        assert exc.code == "SYNC_ANSWER_INVALID" and exc.details["url"] == URL
        return
    _accepted_is_well_formed(answer, local)


@FUZZ
@given(case=near_valid_answers())
def test_one_hostile_field_in_a_valid_answer_is_caught(case: tuple[dict[str, Any], int]) -> None:
    body, local = case
    try:
        answer = check_results(body, url=URL, local_clock=local)
    except AnswerInvalidError as exc:
        assert exc.code == "SYNC_ANSWER_INVALID"
        assert isinstance(exc.details["field"], str)
        return
    _accepted_is_well_formed(answer, local)


@FUZZ
@given(body=json_values, as_string=st.booleans())
def test_any_400_details_are_checked_or_refused(body: Any, as_string: bool) -> None:
    answer = {"details": json.dumps(body) if as_string else body}
    try:
        named = check_details(answer, url=URL)
    except AnswerInvalidError as exc:
        assert exc.code == "SYNC_ANSWER_INVALID"
        return
    for result in named:
        assert _EVENT_ID.match(result.event_id) and result.status == "rejected"
        assert isinstance(result.reason, str) and 0 < len(result.reason) <= MAX_REASON_CHARS


PAYLOAD = {"artifact_path": "spec.md", "content_hash": "a" * 64, "mission_slug": "001-x"}


@FUZZ
@given(
    status=st.integers(min_value=100, max_value=599).filter(lambda s: not 300 <= s < 400),
    body=st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.just(b"DEEP"),  # stands for 100,000 brackets (built in the test: a short repr)
        st.just(b"\xff\xfe\x00"),
    ),
    headers=st.dictionaries(st.sampled_from(["retry-after", "content-type"]), st.text(max_size=20)),
)
def test_any_push_content_answer_is_an_outcome_or_a_delivery_error(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    if body == b"DEEP":
        body = b"[" * 100_000
    reply = Reply(status=status, url="http://127.0.0.1:9/api/dossier/push-content/", body=body)
    reply.headers.update(headers)
    try:
        outcome = classify(reply, dict(PAYLOAD))
    except (DeliveryError, UploadAuthError) as exc:  # 401 is UploadAuthError, by contract
        assert exc.code.startswith(("SYNC_", "UPLOAD_", "AUTH_", "BODY_")), exc.code
        assert isinstance(exc, DeliveryError) or status == 401
        return
    assert outcome is not None


class _Response:
    def __init__(self, chunks: list[bytes], encoding: str, length: str = "") -> None:
        self.headers = {"content-encoding": encoding, "content-length": length}
        self.status_code = 200
        self._chunks = chunks

    def iter_raw(self) -> Iterator[bytes]:
        yield from self._chunks


def _encode(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data)
    if encoding == "deflate":
        return zlib.compress(data)
    return data


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=3000), st.integers(1, 200_000)),
    encoding=st.sampled_from(["", "identity", "gzip", "deflate", "br", "gzip, gzip", "GZIP"]),
    mangle=st.sampled_from(["none", "truncate", "flip", "raw"]),
    cap=st.integers(min_value=1, max_value=5000),
    split=st.integers(min_value=1, max_value=700),
)
def test_any_answer_bytes_are_bounded_or_refused(
    data: bytes | int, encoding: str, mangle: str, cap: int, split: int
) -> None:
    if isinstance(data, int):  # a long run of zeros (a bomb when compressed), built here
        data = b"0" * data
    wire = _encode(data, encoding.lower().split(",")[0].strip())
    if mangle == "truncate":
        wire = wire[: len(wire) // 2]
    elif mangle == "flip" and wire:
        wire = bytes([wire[0] ^ 0xFF]) + wire[1:]
    elif mangle == "raw":
        wire = data  # claims an encoding it does not have
    chunks = [wire[i : i + split] for i in range(0, len(wire), split)] or [b""]
    try:
        out = _bounded_body(_Response(chunks, encoding), URL, cap)
    except (AnswerTooLargeError, AnswerInvalidError) as exc:
        assert exc.details["url"] == URL
        return
    assert len(out) <= cap
    if mangle == "none" and encoding.lower() in ("", "identity", "gzip", "deflate"):
        assert out == data  # a faithful answer within the cap comes through unchanged
