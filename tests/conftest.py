"""Shared fixtures: a store on SQLite or on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Iterator

import pytest

from bot.cases import availability, migrate
from bot.cases.store import Store, open_store
from bot.clock import FrozenClock
from bot.settings import load_settings
from tests.support.servers import create_database, postgres_server

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def _case_store_available() -> None:
    """Each test starts with the case store's circuit breaker closed and no missed look-ups noted."""
    availability.reset()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the whole test session."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at a known Monday morning."""
    return FrozenClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc))


def make_store(url: str, clock: FrozenClock) -> Store:
    """A migrated store on ``url`` using ``clock``."""
    settings = load_settings({"DATABASE_URL": url})
    store = open_store(settings, clock=clock)
    migrate.upgrade(store.engine)
    return store


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: FrozenClock) -> Iterator[Store]:
    """A store on a fresh SQLite file."""
    store = make_store(f"sqlite:///{tmp_path / 'cases.db'}", clock)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock) -> Iterator[Store]:
    """The same tests on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.db'}"
    else:
        server = request.getfixturevalue("postgres_url")
        url = create_database(server, f"test_{next(_db_counter)}")
    s = make_store(url, clock)
    yield s
    s.dispose()
