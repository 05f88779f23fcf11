"""The tracker store's database side: engines that survive trouble, and retries within a time budget.

SQLite: WAL journal, a busy timeout, foreign keys, ``synchronous=FULL``. PostgreSQL: ``pool_pre_ping`` and a
connect timeout. A transient error (:func:`bot.db.is_unavailable`) is retried with exponential backoff (0.1 s
doubling to 2 s) until the budget is spent; after an operation gave up, the next ones within the budget try
once only (see :mod:`integrations.rasa_tracker_store`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import create_engine_kwargs
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from bot.db import is_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY = 0.1
MAX_DELAY = 2.0


def first_line(error: BaseException) -> str:
    """The first line of a database error's message (at most 200 characters), for the logs."""
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines() or [type(error).__name__])[0][:200]


def _prepare_sqlite(engine: sa.engine.Engine, busy_timeout_ms: int) -> None:
    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            try:
                cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file: set once it can be
            except sqlite3.OperationalError as error:
                logger.debug("could not switch the conversations database to WAL yet: %s", error)
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()


def create_tracker_engine(url: Any, busy_timeout_ms: int) -> sa.engine.Engine:
    """An engine for the tracker store: SQLite tuned for concurrent use, PostgreSQL surviving restarts."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        engine = sa.create_engine(url, connect_args=connect_args)
        _prepare_sqlite(engine, busy_timeout_ms)
        return engine
    kwargs: dict[str, Any] = create_engine_kwargs(url)  # pool size, PostgreSQL schema (Rasa's variables)
    kwargs["pool_pre_ping"] = True
    if url.get_backend_name() == "postgresql":
        connect_args = dict(kwargs.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", max(1, -(-int(busy_timeout_ms) // 1000)))
        kwargs["connect_args"] = connect_args
    return sa.create_engine(url, **kwargs)


class RetryBudget:
    """Retries of transient database errors within ``seconds``; once out of budget, one attempt for a while."""

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self._degraded_until = 0.0

    def _budget(self) -> float:
        return 0.0 if time.monotonic() < self._degraded_until else self.seconds

    def worth_retrying(self, error: BaseException, what: str, sender_id: str, attempt: int, delay: float) -> bool:
        """Log a failed attempt; True when it is worth another one after ``delay``."""
        if not is_unavailable(error):
            return False
        logger.warning(
            "Tracker store: could not %s conversation %r (attempt %d: %s); trying again in %.1f s",
            what,
            sender_id,
            attempt,
            first_line(error),
            delay,
        )
        return True

    async def run(self, what: str, sender_id: str, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` in a thread, retrying transient database errors within the budget."""
        deadline = time.monotonic() + self._budget()
        delay = FIRST_DELAY
        for attempt in itertools.count(1):
            try:
                result = await asyncio.to_thread(work, *args)
            except sa_exc.SQLAlchemyError as error:
                if not is_unavailable(error):
                    raise
                if time.monotonic() + delay > deadline:
                    self._degraded_until = time.monotonic() + self.seconds
                    raise
                self.worth_retrying(error, what, sender_id, attempt, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
                continue
            self._degraded_until = 0.0
            return result
        raise AssertionError("unreachable")

    def wait_for(self, work: Callable[[], None]) -> None:
        """Run ``work()`` here until it succeeds, waiting out transient errors for the whole budget (start-up).

        Raises the last error when the budget is spent or the error is not transient.
        """
        deadline = time.monotonic() + self.seconds
        delay = FIRST_DELAY
        for attempt in itertools.count(1):
            try:
                work()
                return
            except sa_exc.SQLAlchemyError as error:
                if time.monotonic() + delay > deadline or not self.worth_retrying(error, "start", "*", attempt, delay):
                    raise
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
