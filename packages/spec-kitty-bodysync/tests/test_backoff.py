from __future__ import annotations

import pytest

from spec_kitty_bodysync import Backoff


def test_exponential_growth_capped_without_jitter() -> None:
    policy = Backoff(base=1.0, factor=2.0, cap=10.0, jitter=0.0)
    assert [policy.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert policy.delay(10_000) == 10.0
    assert policy.delay(-3) == 1.0


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_jitter_only_shortens_within_its_fraction(draw: float) -> None:
    policy = Backoff(base=2.0, cap=300.0, jitter=0.2, random=lambda: draw)
    delay = policy.delay(3)  # raw 16 s
    assert 16.0 * 0.8 <= delay <= 16.0
    assert delay == pytest.approx(16.0 * (1 - 0.2 * draw))


def test_real_random_stays_in_bounds() -> None:
    policy = Backoff()
    for n in range(12):
        assert 0 < policy.delay(n) <= policy.cap


@pytest.mark.parametrize(
    "kwargs", [{"base": 0}, {"factor": 0.5}, {"cap": 0.1, "base": 1}, {"jitter": 1.5}]
)
def test_nonsense_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)  # type: ignore[arg-type]
