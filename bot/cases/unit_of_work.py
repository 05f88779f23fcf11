"""Unit of work: one session per piece of work, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Optional

from sqlalchemy.orm import Session, sessionmaker

from bot.cases.conversations import Conversations
from bot.cases.repository import CaseRepository, CatalogueRepository, FollowUpRepository, PhotoRepository


class UnitOfWork:
    """Opens a session on enter; commits only when :meth:`commit` is called."""

    session: Session
    cases: CaseRepository
    catalogue: CatalogueRepository
    followups: FollowUpRepository
    photos: PhotoRepository

    def __init__(self, session_factory: sessionmaker, conversations: Optional[Conversations] = None) -> None:
        self._session_factory = session_factory
        self.conversations = conversations  # Rasa's stored conversations (read-only here), when configured

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.cases = CaseRepository(self.session)
        self.catalogue = CatalogueRepository(self.session)
        self.followups = FollowUpRepository(self.session)
        self.photos = PhotoRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        # close() rolls back anything not committed and detaches objects without expiring
        # what was loaded, so results stay readable after the unit of work ends.
        self.session.close()

    def commit(self) -> None:
        """Make the work so far permanent."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw away the work so far."""
        self.session.rollback()
