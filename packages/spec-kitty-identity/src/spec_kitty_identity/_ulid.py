"""ULID generation and checks (Crockford base32, 48-bit ms time + 80 random bits).

Hand-written on purpose: importing python-ulid costs ~70 ms (it loads importlib.metadata), which
would double the start-up time of every write command. The tests cross-check this against
python-ulid, which stays the reference.
"""

from __future__ import annotations

import os
import re
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_RE = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def new_ulid(*, timestamp_ms: int | None = None) -> str:
    """Return a new upper-case ULID string (26 characters)."""
    ms = time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(text: object) -> bool:
    """True for a canonical upper-case 26-character ULID."""
    return isinstance(text, str) and ULID_RE.match(text) is not None


def ulid_timestamp_ms(text: str) -> int:
    """The millisecond timestamp encoded in a ULID."""
    value = 0
    for ch in text[:10]:
        value = (value << 5) | _ALPHABET.index(ch)
    return value
