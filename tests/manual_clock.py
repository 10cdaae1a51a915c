"""A clock the test moves by hand, for the rate limits' minute windows."""

from __future__ import annotations

from flask import Flask

from gisapp.web.security import RATE_LIMITS


class ManualClock:
    """Seconds that pass only when :meth:`advance` is called."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += seconds


def freeze_rate_limits(app: Flask, now: float = 0.0) -> ManualClock:
    """Put every rate limiter of ``app`` on one manual clock standing at ``now``."""
    clock = ManualClock(now)
    for limiter in app.extensions[RATE_LIMITS]:
        limiter.clock = clock
    return clock
