"""The one structured-error shape: what `as_structured` accepts and refuses."""

from __future__ import annotations

import pytest

from spec_kitty_identity import (
    IdentityError,
    MissionNotFoundError,
    SpecKittyError,
    StateWriteError,
    as_structured,
)


def test_identity_errors_are_structured() -> None:
    exc = MissionNotFoundError("no mission '042'", details={"selector": "042"})
    error = as_structured(exc)
    assert error is exc
    assert (error.code, error.message, error.details) == (
        "MISSION_NOT_FOUND",
        "no mission '042'",
        {"selector": "042"},
    )
    assert error.operator_fixable is True
    assert isinstance(exc, SpecKittyError) and isinstance(exc, IdentityError)
    assert as_structured(StateWriteError("disk full")).operator_fixable is False  # type: ignore[union-attr]


def test_details_are_a_copy() -> None:
    given = {"path": "a"}
    exc = SpecKittyError("x", details=given)
    given["path"] = "b"
    assert exc.details == {"path": "a"}


class _CodeOnly(Exception):
    code = "X"


class _StringDetails(Exception):
    code, message, details, operator_fixable = "X", "m", "not a dict", True


class _NumericCode(Exception):
    code, message, details, operator_fixable = 7, "m", {}, True


@pytest.mark.parametrize(
    "exc", [ValueError("plain"), _CodeOnly(), _StringDetails(), _NumericCode(), KeyError("k")]
)
def test_other_exceptions_are_not_structured(exc: BaseException) -> None:
    assert as_structured(exc) is None
