"""Database engines and session factories (SQLAlchemy 1.4, 2.0 style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings


class StoreUnavailable(RuntimeError):
    """The case database is locked, busy, restarting or down right now; the work may be tried again later."""


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database is locked, busy, restarting or down (trying later may work).

    Constraint violations and programming errors are not "unavailable": they are bugs or bad data
    and must surface as such, never be parked for a retry that can only fail again.
    """
    if isinstance(error, StoreUnavailable):
        return True
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection became free in time
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))
    return False


def _prepare_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL journal, a busy timeout, foreign keys, and write transactions that lock early.

    pysqlite's own transaction handling starts transactions lazily, which lets
    two processes both read and then fail to upgrade to a write lock. We take
    control: every transaction begins with ``BEGIN IMMEDIATE`` so writers queue
    on the busy timeout instead of failing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(settings: Settings, interactive: bool = False, **kwargs: Any) -> Engine:
    """Create an engine for ``settings.database_url``.

    ``interactive`` engines serve people waiting for an answer (action server, dashboard, Slack app):
    they wait at most ``DB_ANSWER_TIMEOUT_MS`` for a lock, a connection or a pooled slot, so a locked or
    unreachable database becomes an error in time to tell the person plainly. Batch work (CLI,
    scheduler worker) waits ``SQLITE_BUSY_TIMEOUT_MS`` instead.
    """
    url = make_url(settings.database_url)
    wait_ms = settings.db_answer_timeout_ms if interactive else settings.sqlite_busy_timeout_ms
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": wait_ms / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _prepare_sqlite(engine, wait_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a connection dropped by a server restart is replaced
    if interactive:
        seconds = max(1, -(-settings.db_answer_timeout_ms // 1000))
        kwargs.setdefault("pool_timeout", seconds)
        if url.get_backend_name() == "postgresql":
            pg_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
            pg_args.setdefault("connect_timeout", seconds)
            pg_args.setdefault("options", f"-c lock_timeout={int(settings.db_answer_timeout_ms)}")
            kwargs["connect_args"] = pg_args
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """A session factory bound to ``engine`` that keeps objects usable after commit."""
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)
