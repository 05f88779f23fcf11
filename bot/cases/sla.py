"""Service levels of a case: due times come from the SLA rules, read through :mod:`bot.policy`'s loader.

``SlaRules`` and ``load_sla_rules`` are re-exported for the case store (``bot/cases/store.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from bot.policy import SlaRules, load_sla_rules

__all__ = ["SlaRules", "is_breached", "load_sla_rules"]


def is_breached(due: Optional[dt.datetime], done: Optional[dt.datetime], now: dt.datetime) -> bool:
    """A due time is breached if the work was done after it, or is still not done and it has passed."""
    if due is None:
        return False
    if done is not None:
        return done > due
    return now > due
