"""Rasa's SQL tracker store, made to keep every conversation event through database trouble.

Rasa wraps every tracker store in ``FailSafeTrackerStore``: when a save raises, it logs "Falling back to
use the 'InMemoryTrackerStore'", keeps the tracker in memory only, and the next turn reads the stale
tracker from the database again, so the conversation is forgotten. :class:`DurableSQLTrackerStore`
(``type: integrations.rasa_tracker_store.DurableSQLTrackerStore`` in the endpoints, rendered by
:mod:`bot.rasa_endpoints`) never lets a database error reach that wrapper (engines and retries:
:mod:`integrations.tracker_database`; the journal: :mod:`integrations.tracker_journal`):

* **Connections.** SQLite: WAL journal (readers never wait for a writer), a busy timeout
  (``busy_timeout_ms``), foreign keys, ``synchronous=FULL``. PostgreSQL: ``pool_pre_ping`` (a connection
  dropped by a server restart is replaced) and a connect timeout.
* **Retries.** A transient error (locked or busy, connection dropped, server restarting or down:
  :func:`bot.db.is_unavailable`) is retried with exponential backoff (0.1 s doubling to 2 s) until
  ``retry_seconds`` have passed (default 10 s, plus at most one busy timeout for the last attempt); each retry
  is logged at WARNING. After an operation gave up, the next ones within ``retry_seconds`` try once only, so a
  long outage does not make every turn wait the whole budget.
* **Journal.** A save that still fails writes the conversation's events to a journal file of its own under
  ``journal_dir`` (one JSON file per conversation, written to a temporary file, fsync'd, renamed over the old
  one, folder fsync'd; mode 600), logged at ERROR. Nothing is held only in memory.
* **Catching up.** Every later save or retrieve of that conversation first writes the journalled events the
  database does not hold yet, then deletes the journal file; after any successful database operation, the
  journals of other conversations are written too (at most every few seconds), and at start-up.
  While the database still cannot take them, ``retrieve`` answers from the journal, so the conversation
  continues where it was.

**Exactly once, in order.** Rasa's own ``save`` writes the tracker's events after the number already stored
for the current session (``_additional_events``); that count is only right when the tracker in memory was
read from the database. A tracker continued from the journal (or from this process's last copy) may not be,
so every write here compares events by identity instead: an event is its type and its timestamp (Rasa gives
each event a float timestamp when it is created and keeps it through storage), counted as a multiset.
The events of the tracker that the database does not hold yet are inserted in tracker order, in one
transaction (on PostgreSQL under an advisory lock per conversation). Writing the same journal twice (a crash
after the commit, before the file was deleted) therefore inserts nothing the second time. For a tracker read
from the database this writes exactly what Rasa's save writes.

When the database cannot be read at the start of a turn and there is neither a journal nor a copy of the
conversation in this process (first message after a restart during an outage), ``retrieve`` returns None and
logs an ERROR: Rasa starts the conversation afresh and its events are added after the stored ones once the
database is back. Several Rasa processes keep separate journals (on their own disks): a journal is written by
the process that made it, on its next database operation.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import logging
import time
import weakref
from pathlib import Path
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import exc as sa_exc

from integrations.tracker_database import RetryBudget, create_tracker_engine, first_line
from integrations.tracker_journal import (
    ConversationJournal,
    EventDict,
    current_session,
    missing_events,
    union_events,
)

__all__ = ["DurableSQLTrackerStore"]

logger = logging.getLogger(__name__)

SWEEP_INTERVAL = 5.0
RECENT_LIMIT = 1000


class DurableSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with retries and a durable journal instead of a silent memory fallback."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        dialect: str = "sqlite",
        port: Optional[int] = None,
        db: str = "rasa.db",
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Any = None,
        login_db: Optional[str] = None,
        query: Optional[dict[str, Any]] = None,
        journal_dir: Optional[str] = None,
        busy_timeout_ms: int = 1000,
        retry_seconds: float = 1.5,
        **kwargs: Any,
    ) -> None:
        port = validate_port(port)
        self.busy_timeout_ms = int(busy_timeout_ms)
        self.retry_seconds = float(retry_seconds)
        if login_db:
            login = create_tracker_engine(
                self.get_db_url(dialect, host, port, db, username, password, login_db, query), self.busy_timeout_ms
            )
            try:
                self._create_database(login, db)
            finally:
                login.dispose()
        engine_url = self.get_db_url(dialect, host, port, db, username, password, None, query)
        self.engine = create_tracker_engine(engine_url, self.busy_timeout_ms)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        folder = Path(journal_dir) if journal_dir else Path("var") / "tracker-journal"
        self.journal = ConversationJournal(folder.resolve())
        self._is_postgresql = self.engine.dialect.name == "postgresql"
        self._schema_ready = False
        self._retry = RetryBudget(self.retry_seconds)
        self._recent: collections.OrderedDict[str, list[EventDict]] = collections.OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._last_sweep = 0.0
        self._sweep_task: Optional[asyncio.Task[None]] = None
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        logger.debug("Tracker store on %r, journal in %s", self.engine.url, self.journal.folder)
        self._start_up()

    # ------------------------------------------------------------------ database work (runs in a thread)

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        try:
            self.Base.metadata.create_all(self.engine)
        except (sa_exc.ProgrammingError, sa_exc.IntegrityError) as error:
            # another Rasa process created the table at the same moment
            logger.warning("Tracker store: creating the events table: %s", first_line(error))
        self._schema_ready = True

    def _lock_conversation(self, session: Any, sender_id: str) -> None:
        """PostgreSQL: one writer per conversation at a time (another Rasa process may write it too)."""
        if self._is_postgresql:
            digest = hashlib.sha256(b"rasa-tracker:" + sender_id.encode("utf-8")).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def _read_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[EventDict]:
        self._ensure_schema()
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            return [json.loads(row.data) for row in rows]

    def _write_missing(self, sender_id: str, events: list[EventDict]) -> int:
        """Insert the ``events`` the database does not hold yet, in order, in one transaction."""
        self._ensure_schema()
        with self.session_scope() as session:
            self._lock_conversation(session, sender_id)
            stored = session.query(self.SQLEvent.type_name, self.SQLEvent.timestamp).filter(
                self.SQLEvent.sender_id == sender_id
            )
            stamps = [e["timestamp"] for e in events if isinstance(e.get("timestamp"), (int, float))]
            if stamps and len(stamps) == len(events):
                stored = stored.filter(self.SQLEvent.timestamp >= min(stamps) - 1.0)
            new = missing_events(events, ((row.type_name, row.timestamp) for row in stored.all()))
            for data in new:
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=data.get("event"),
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data", {}) or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
            return len(new)

    def _stored_senders(self) -> list[str]:
        self._ensure_schema()
        with self.session_scope() as session:
            return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]

    def _start_up(self) -> None:
        """Create the table (waiting up to the retry budget for the database), then write old journals."""
        try:
            self._retry.wait_for(self._ensure_schema)
        except sa_exc.SQLAlchemyError as error:
            logger.error(
                "Tracker store: the database is not available at start-up (%s); conversations are "
                "journalled in %s until it is",
                first_line(error),
                self.journal.folder,
            )
            return
        for sender_id in self.journal.senders():
            pending = self.journal.load(sender_id)
            if pending is None:
                continue
            try:
                written = self._write_missing(sender_id, pending)
            except sa_exc.SQLAlchemyError as error:
                logger.warning("Tracker store: journalled conversations wait for the database: %s", first_line(error))
                return
            self.journal.remove(sender_id)
            logger.warning(
                "Tracker store: wrote %d journalled event(s) of conversation %r to the database", written, sender_id
            )

    # ------------------------------------------------------------------ helpers on the event loop

    def _conversation_lock(self, sender_id: str) -> asyncio.Lock:
        lock = self._locks.get(sender_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sender_id] = lock
        return lock

    def _remember(self, sender_id: str, events: list[EventDict]) -> None:
        """Keep the last known state of a conversation (current session), for reads during an outage."""
        self._recent[sender_id] = current_session(events)
        self._recent.move_to_end(sender_id)
        while len(self._recent) > RECENT_LIMIT:
            self._recent.popitem(last=False)

    def _tracker(self, sender_id: str, events: list[EventDict]) -> Optional[DialogueStateTracker]:
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def _flush(self, sender_id: str, pending: list[EventDict], retry: bool) -> int:
        """Write journalled events (under the conversation's lock) and delete the journal file."""
        if retry:
            written = await self._retry.run(
                "write the journalled events of", sender_id, self._write_missing, sender_id, pending
            )
        else:
            written = await asyncio.to_thread(self._write_missing, sender_id, pending)
        await asyncio.to_thread(self.journal.remove, sender_id)
        logger.warning(
            "Tracker store: the database is back; wrote %d journalled event(s) of conversation %r", written, sender_id
        )
        return written

    def _schedule_sweep(self) -> None:
        """After a successful database operation: write other conversations' journals (now and then)."""
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_INTERVAL or (self._sweep_task and not self._sweep_task.done()):
            return
        self._last_sweep = now
        if not self.journal.has_pending():
            return
        self._sweep_task = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        for sender_id in await asyncio.to_thread(self.journal.senders):
            async with self._conversation_lock(sender_id):
                pending = await asyncio.to_thread(self.journal.load, sender_id)
                if pending is None:
                    continue
                try:
                    await self._flush(sender_id, pending, retry=False)
                except sa_exc.SQLAlchemyError as error:
                    logger.warning(
                        "Tracker store: journalled conversations wait for the database: %s", first_line(error)
                    )
                    return

    # ------------------------------------------------------------------ Rasa's tracker store interface

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the tracker's new events; if the database cannot take them, journal them (never drop them)."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events: list[EventDict] = [event.as_dict() for event in tracker.events]
        async with self._conversation_lock(sender_id):
            pending = await asyncio.to_thread(self.journal.load, sender_id)
            newest = union_events(pending, events) if pending else events
            try:
                written = await self._retry.run("save", sender_id, self._write_missing, sender_id, newest)
            except sa_exc.SQLAlchemyError as error:
                path = await asyncio.to_thread(self.journal.write, sender_id, newest)
                self._remember(sender_id, newest)
                logger.error(
                    "Tracker store: could not save conversation %r (%s); its events are kept in %s and will be "
                    "written to the database when it is back",
                    sender_id,
                    first_line(error),
                    path,
                )
                return
            if pending is not None:
                await asyncio.to_thread(self.journal.remove, sender_id)
                logger.warning(
                    "Tracker store: the database is back; conversation %r saved with its journalled events "
                    "(%d written)",
                    sender_id,
                    written,
                )
            self._remember(sender_id, newest)
        logger.debug("Tracker with sender_id '%s' stored to database (%d new events)", sender_id, written)
        self._schedule_sweep()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        full = fetch_events_from_all_sessions
        async with self._conversation_lock(sender_id):
            pending = await asyncio.to_thread(self.journal.load, sender_id)
            if pending is not None:
                try:
                    await self._flush(sender_id, pending, retry=True)
                except sa_exc.SQLAlchemyError as error:
                    return await self._from_journal(sender_id, pending, full, error)
            try:
                events = await self._retry.run("read", sender_id, self._read_events, sender_id, full)
            except sa_exc.SQLAlchemyError as error:
                known = self._recent.get(sender_id)
                if known is None:
                    logger.error(
                        "Tracker store: could not read conversation %r (%s) and this process has no copy of it; "
                        "it continues from an empty state, and its new events are added after the stored ones "
                        "once the database is back",
                        sender_id,
                        first_line(error),
                    )
                    return None
                logger.error(
                    "Tracker store: could not read conversation %r (%s); continuing from this process's last copy",
                    sender_id,
                    first_line(error),
                )
                return self._tracker(sender_id, list(known))
            if not full:
                self._remember(sender_id, events)
        self._schedule_sweep()
        return self._tracker(sender_id, events)

    async def _from_journal(
        self, sender_id: str, pending: list[EventDict], full: bool, error: BaseException
    ) -> Optional[DialogueStateTracker]:
        """The newest state while the database cannot take the journalled events."""
        logger.error(
            "Tracker store: could not write the journalled events of conversation %r yet (%s); continuing from "
            "the journal",
            sender_id,
            first_line(error),
        )
        if not full:
            return self._tracker(sender_id, current_session(pending))
        try:  # the older sessions, when the database can at least be read (an SQLite writer holding the lock)
            stored = await asyncio.to_thread(self._read_events, sender_id, True)
        except sa_exc.SQLAlchemyError:
            stored = []
        return self._tracker(sender_id, union_events(stored, pending))

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's current session: from the database, or the journal while it cannot be written."""
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Every session of the conversation (database plus journal)."""
        return await self._retrieve(conversation_id, fetch_events_from_all_sessions=True)

    async def keys(self) -> Iterable[str]:
        """Conversation ids in the database and in the journal."""
        try:
            stored = await self._retry.run("list", "*", self._stored_senders)
        except sa_exc.SQLAlchemyError as error:
            logger.error("Tracker store: could not list conversations (%s); listing journalled ones", first_line(error))
            stored = []
        journalled = await asyncio.to_thread(self.journal.senders)
        return sorted(set(stored) | set(journalled))

    def close(self) -> None:
        """Release the database connections (tests, shutdown)."""
        self.engine.dispose()
