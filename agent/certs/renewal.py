"""When an agent renews its certificate: halfway through its life (as SwarmKit does, with a
little jitter so that agents started together do not all renew in the same second), and again
soon after a failed attempt, while there is time."""

from __future__ import annotations

import random


def renew_at(
    not_before: float, not_after: float, jitter: float = 0.1, rnd: random.Random | None = None
) -> float:
    """The time to renew a certificate valid from `not_before` to `not_after` (epoch seconds):
    at 50 % of its life, give or take `jitter` of it."""
    life = max(0.0, not_after - not_before)
    r = (rnd or random).uniform(-jitter, jitter)
    return not_before + life * (0.5 + r)


def retry_after(now: float, not_after: float, failures: int) -> float:
    """Seconds before the next attempt after `failures` failed ones: exponential from 1 s, capped
    at 60 s and at a tenth of the time left, so several attempts fit before expiry."""
    left = max(0.0, not_after - now)
    return max(0.5, min(2.0 ** min(failures, 6), 60.0, left / 10))
