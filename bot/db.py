"""Database engines and session factories (SQLAlchemy 1.4, 2.0 style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings


class DatabaseUnavailable(RuntimeError):
    """Raised when the case database cannot be reached."""


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


def create_db_engine(settings: Settings, **kwargs: Any) -> Engine:
    """Create an engine for ``settings.database_url``."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": settings.sqlite_busy_timeout_ms / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _prepare_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """A session factory bound to ``engine`` that keeps objects usable after commit."""
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)
