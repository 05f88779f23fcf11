"""Service levels of a case: whether a due time (from the SLA rules, :mod:`bot.policy`) was breached."""

from __future__ import annotations

import datetime as dt
from typing import Optional

__all__ = ["is_breached"]


def is_breached(due: Optional[dt.datetime], done: Optional[dt.datetime], now: dt.datetime) -> bool:
    """A due time is breached if the work was done after it, or is still not done and it has passed."""
    if due is None:
        return False
    if done is not None:
        return done > due
    return now > due
