"""Time in one place, so tests can freeze or move it."""

from __future__ import annotations

import datetime as dt
from typing import Callable

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


class FrozenClock:
    """A clock for tests: returns a fixed time that can be moved forward."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=dt.timezone.utc)
        self.now = start

    def __call__(self) -> dt.datetime:  # noqa: D102
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move the clock forward by ``datetime.timedelta(**delta)``."""
        self.now = self.now + dt.timedelta(**delta)
        return self.now
