"""Wiring of the case store: engine, sessions, clock and rules, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.cases.conversations import Conversations
from bot.cases.unit_of_work import UnitOfWork
from bot.clock import Clock, utcnow
from bot.db import create_db_engine, make_session_factory
from bot.policy import SlaRules, load_sla_rules
from bot.settings import Settings, get_settings


@dataclass
class Store:
    """Everything that works on the case database needs one of these."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    clock: Clock = field(default=utcnow)
    conversations: Optional[Conversations] = None

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work (use as a context manager)."""
        return UnitOfWork(self.session_factory, self.conversations)

    @property
    def sla_rules(self) -> SlaRules:
        """SLA rules from the configured file."""
        return load_sla_rules(self.settings.sla_rules_file)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
        if self.conversations is not None:
            self.conversations.dispose()


def open_store(settings: Optional[Settings] = None, clock: Clock = utcnow, interactive: bool = False) -> Store:
    """Build a :class:`Store` for ``settings`` (default: the environment's).

    ``interactive`` stores give up on a locked or unreachable database after ``DB_ANSWER_TIMEOUT_MS``
    (see :func:`bot.db.create_db_engine`), so the person waiting gets a plain answer in time.
    """
    settings = settings or get_settings()
    engine = create_db_engine(settings, interactive=interactive)
    return Store(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        conversations=Conversations(settings, interactive=interactive),
    )


@lru_cache(maxsize=1)
def get_store() -> Store:
    """The process-wide store of a serving process (action server, dashboard, Slack app), made on first use."""
    return open_store(interactive=True)
