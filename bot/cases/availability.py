"""Reads that tolerate an unavailable case database, and the note that one was missed.

The conversation looks up orders and the catalogue while it listens. When the database is locked or
down, a look-up must not stop the conversation: :func:`tolerant` returns a default instead and notes
the miss (per thread of work, in a context variable), so the caller can tell the customer plainly that
details will be checked later and that nothing they said is lost. Writes never go through here: a
write that cannot happen is deferred to the outbox (:mod:`bot.cases.deferred`).
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from typing import Callable, TypeVar

from bot.db import is_unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

_missed: ContextVar[bool] = ContextVar("case_store_lookup_missed", default=False)

# After the database was found unavailable, this process does not wait for it again for a few seconds
# (a circuit breaker): one customer turn touches the database several times (form validation, the next
# question, logging the case), and each wait would add DB_ANSWER_TIMEOUT_MS to the answer.
FAIL_FAST_SECONDS = 2.0
_breaker = threading.Lock()
_down_until = 0.0


def mark_unavailable() -> None:
    """Note that the database was just found unavailable (opens the breaker for FAIL_FAST_SECONDS)."""
    global _down_until
    with _breaker:
        _down_until = time.monotonic() + FAIL_FAST_SECONDS


def known_unavailable() -> bool:
    """True for FAIL_FAST_SECONDS after the database was found unavailable in this process."""
    with _breaker:
        return time.monotonic() < _down_until


def tolerant(read: Callable[[], T], default: T) -> T:
    """``read()``, or ``default`` when the database is unavailable (noted for :func:`lookups_missed`)."""
    if known_unavailable():
        _missed.set(True)
        return default
    try:
        return read()
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("case database unavailable for a look-up; carrying on without it: %s", str(exc).splitlines()[0])
        mark_unavailable()
        _missed.set(True)
        return default


def start_turn() -> None:
    """Forget earlier misses in this context (call at the start of each piece of work that reports them)."""
    _missed.set(False)


def reset() -> None:
    """Close the breaker and forget misses (a fresh process state; used by tests)."""
    global _down_until
    with _breaker:
        _down_until = 0.0
    _missed.set(False)


def lookups_missed() -> bool:
    """True when a tolerant look-up in this context found the database unavailable."""
    return _missed.get()
