"""Rasa's SQL tracker store, made to keep every conversation event through database trouble.

Rasa wraps every tracker store in ``FailSafeTrackerStore``: when a save raises, it logs "Falling back to
use the 'InMemoryTrackerStore'", keeps the tracker in memory only, and the next turn reads the stale
tracker from the database again, so the conversation is forgotten. :class:`DurableSQLTrackerStore`
(``type: integrations.rasa_tracker_store.DurableSQLTrackerStore`` in the endpoints, rendered by
:mod:`bot.rasa_endpoints`) never lets a database error reach that wrapper:

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
import contextlib
import hashlib
import itertools
import json
import logging
import os
import sqlite3
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from bot.cases.conversations import journal_file
from bot.data_files import fsync_dir, write_json_durably
from bot.db import is_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
EventDict = dict[str, Any]

FIRST_DELAY = 0.1
MAX_DELAY = 2.0
SWEEP_INTERVAL = 5.0
RECENT_LIMIT = 1000


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines() or [type(error).__name__])[0][:200]


def _key(event: EventDict) -> tuple[Any, Any]:
    """What identifies a stored event: its type and its creation timestamp."""
    return event.get("event"), event.get("timestamp")


def _missing(events: list[EventDict], stored: Iterable[tuple[Any, Any]]) -> list[EventDict]:
    """``events`` (in order) that are not among ``stored`` keys, counted as a multiset."""
    left = collections.Counter(stored)
    result = []
    for event in events:
        key = _key(event)
        if left[key] > 0:
            left[key] -= 1
        else:
            result.append(event)
    return result


def _union(first: list[EventDict], then: list[EventDict]) -> list[EventDict]:
    """``first`` followed by the events of ``then`` that ``first`` does not hold."""
    return first + _missing(then, (_key(e) for e in first))


def _current_session(events: list[EventDict]) -> list[EventDict]:
    """The events from the last ``session_started`` on (what Rasa's ``retrieve`` returns)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index:]
    return events


class ConversationJournal:
    """Events the database could not take, one file per conversation (``<sha256 of the id>.json``).

    Each file holds the conversation's newest events, ``{"sender_id", "events", "written_at"}``. It is
    replaced atomically (temporary file, fsync, rename, fsync of the folder), so after a crash it holds
    either the previous or the new events, never half of them.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._counter = itertools.count()

    def _path(self, sender_id: str) -> Path:
        return journal_file(self.folder, sender_id)  # the same name erasure deletes

    def _fsync_folder(self) -> None:
        fsync_dir(self.folder)

    def _read(self, path: Path) -> Optional[dict[str, Any]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("events"), list):
                raise ValueError("not a tracker journal")
            return data
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            logger.error("Tracker journal %s is unreadable (%s); moved aside to %s", path, error, aside.name)
            with contextlib.suppress(OSError):
                path.replace(aside)
            return None

    def load(self, sender_id: str) -> Optional[list[EventDict]]:
        """The journalled events of ``sender_id``, or None when nothing is waiting."""
        data = self._read(self._path(sender_id))
        if data is None or data.get("sender_id") != sender_id:
            return None
        return list(data["events"])

    def write(self, sender_id: str, events: list[EventDict]) -> Path:
        """Keep ``events`` as the conversation's newest state, durably."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return write_json_durably(
            self._path(sender_id), {"sender_id": sender_id, "written_at": time.time(), "events": events}
        )

    def remove(self, sender_id: str) -> None:
        """Forget the journal of ``sender_id`` (its events are in the database now)."""
        path = self._path(sender_id)
        if path.exists():
            path.unlink(missing_ok=True)
            self._fsync_folder()

    def senders(self) -> list[str]:
        """Conversations that have journalled events."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            data = self._read(path)
            if data is not None and isinstance(data.get("sender_id"), str):
                found.append(data["sender_id"])
        return found

    def has_pending(self) -> bool:
        """True when any conversation has journalled events (cheap: one directory listing)."""
        try:
            return any(name.endswith(".json") for name in os.listdir(self.folder))
        except OSError:
            return False


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
        self._degraded_until = 0.0
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
            logger.warning("Tracker store: creating the events table: %s", _first_line(error))
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
            new = _missing(events, ((row.type_name, row.timestamp) for row in stored.all()))
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

    # ------------------------------------------------------------------ retries

    def _budget(self) -> float:
        return 0.0 if time.monotonic() < self._degraded_until else self.retry_seconds

    def _failed(self, error: BaseException, what: str, sender_id: str, attempt: int, delay: float) -> bool:
        """Log a failed attempt; True when it is worth another one after ``delay``."""
        if not is_unavailable(error):
            return False
        logger.warning(
            "Tracker store: could not %s conversation %r (attempt %d: %s); trying again in %.1f s",
            what,
            sender_id,
            attempt,
            _first_line(error),
            delay,
        )
        return True

    async def _retrying(self, what: str, sender_id: str, work: Callable[..., T], *args: Any) -> T:
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
                    self._degraded_until = time.monotonic() + self.retry_seconds
                    raise
                self._failed(error, what, sender_id, attempt, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
                continue
            self._degraded_until = 0.0
            return result
        raise AssertionError("unreachable")

    def _start_up(self) -> None:
        """Create the table (waiting up to the retry budget for the database), then write old journals."""
        deadline = time.monotonic() + self.retry_seconds
        delay = FIRST_DELAY
        for attempt in itertools.count(1):
            try:
                self._ensure_schema()
                break
            except sa_exc.SQLAlchemyError as error:
                if time.monotonic() + delay > deadline or not self._failed(error, "start", "*", attempt, delay):
                    logger.error(
                        "Tracker store: the database is not available at start-up (%s); conversations are "
                        "journalled in %s until it is",
                        _first_line(error),
                        self.journal.folder,
                    )
                    return
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
        for sender_id in self.journal.senders():
            pending = self.journal.load(sender_id)
            if pending is None:
                continue
            try:
                written = self._write_missing(sender_id, pending)
            except sa_exc.SQLAlchemyError as error:
                logger.warning("Tracker store: journalled conversations wait for the database: %s", _first_line(error))
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
        self._recent[sender_id] = _current_session(events)
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
            written = await self._retrying(
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
                        "Tracker store: journalled conversations wait for the database: %s", _first_line(error)
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
            newest = _union(pending, events) if pending else events
            try:
                written = await self._retrying("save", sender_id, self._write_missing, sender_id, newest)
            except sa_exc.SQLAlchemyError as error:
                path = await asyncio.to_thread(self.journal.write, sender_id, newest)
                self._remember(sender_id, newest)
                logger.error(
                    "Tracker store: could not save conversation %r (%s); its events are kept in %s and will be "
                    "written to the database when it is back",
                    sender_id,
                    _first_line(error),
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
                events = await self._retrying("read", sender_id, self._read_events, sender_id, full)
            except sa_exc.SQLAlchemyError as error:
                known = self._recent.get(sender_id)
                if known is None:
                    logger.error(
                        "Tracker store: could not read conversation %r (%s) and this process has no copy of it; "
                        "it continues from an empty state, and its new events are added after the stored ones "
                        "once the database is back",
                        sender_id,
                        _first_line(error),
                    )
                    return None
                logger.error(
                    "Tracker store: could not read conversation %r (%s); continuing from this process's last copy",
                    sender_id,
                    _first_line(error),
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
            _first_line(error),
        )
        if not full:
            return self._tracker(sender_id, _current_session(pending))
        try:  # the older sessions, when the database can at least be read (an SQLite writer holding the lock)
            stored = await asyncio.to_thread(self._read_events, sender_id, True)
        except sa_exc.SQLAlchemyError:
            stored = []
        return self._tracker(sender_id, _union(stored, pending))

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's current session: from the database, or the journal while it cannot be written."""
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Every session of the conversation (database plus journal)."""
        return await self._retrieve(conversation_id, fetch_events_from_all_sessions=True)

    async def keys(self) -> Iterable[str]:
        """Conversation ids in the database and in the journal."""
        try:
            stored = await self._retrying("list", "*", self._stored_senders)
        except sa_exc.SQLAlchemyError as error:
            logger.error(
                "Tracker store: could not list conversations (%s); listing journalled ones", _first_line(error)
            )
            stored = []
        journalled = await asyncio.to_thread(self.journal.senders)
        return sorted(set(stored) | set(journalled))

    def close(self) -> None:
        """Release the database connections (tests, shutdown)."""
        self.engine.dispose()
