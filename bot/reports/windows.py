"""Report windows and small statistics helpers."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Optional, Sequence

_DURATION = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


def parse_duration(text: str) -> dt.timedelta:
    """``30d`` or ``4w`` as a timedelta; a clear ValueError for anything else."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a period; write a number of days or weeks like 30d or 4w")
    number, unit = int(match.group(1)), match.group(2).lower()
    return dt.timedelta(days=number * (7 if unit == "w" else 1))


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def days(self) -> float:
        """Length in days."""
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        return Window(self.start - (self.end - self.start), self.start)

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def window(now: dt.datetime, since: dt.timedelta, until: Optional[dt.datetime] = None) -> Window:
    """The window of length ``since`` ending at ``until`` (default: now, including this very instant)."""
    end = until or (now + dt.timedelta(microseconds=1))
    return Window(end - since, end)


def median(values: Sequence[float]) -> Optional[float]:
    """The median, or None for no values."""
    return percentile(values, 50)


def percentile(values: Sequence[float], pct: float) -> Optional[float]:
    """Linear-interpolated percentile (0-100), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def hours(delta: dt.timedelta) -> float:
    """A timedelta in hours."""
    return delta.total_seconds() / 3600


def rounded(value: Optional[float], digits: int = 1) -> Optional[float]:
    """Round for display, keeping None."""
    return None if value is None else round(value, digits)
