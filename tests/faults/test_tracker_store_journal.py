"""The durable tracker store on a real SQLite file: retries, the journal, and catching up exactly once.

A second connection holds ``BEGIN EXCLUSIVE`` on the conversations file (what a stuck writer or a backup
does); saves must neither raise nor drop events, and once the lock is gone every event is in the database
once, in order.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy import exc as sa_exc

from bot.rasa_endpoints import write_endpoints
from bot.settings import load_settings
from integrations.rasa_tracker_store import DurableSQLTrackerStore

DOMAIN = Domain.from_dict(
    {
        "version": "3.1",
        "intents": ["greet"],
        "slots": {"order_number": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "hello"}]},
    }
)
FALLBACK = "Falling back to use the 'InMemoryTrackerStore'"


def make_store(folder: Path, **kwargs: Any) -> DurableSQLTrackerStore:
    options: dict[str, Any] = {"busy_timeout_ms": 100, "retry_seconds": 0.5, **kwargs}
    return DurableSQLTrackerStore(
        domain=DOMAIN,
        dialect="sqlite",
        db=str(folder / "conversations.db"),
        journal_dir=str(folder / "journal"),
        **options,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DurableSQLTrackerStore]:
    s = make_store(tmp_path)
    yield s
    s.close()


class ExclusiveLock:
    """Another connection holding ``BEGIN EXCLUSIVE`` on an SQLite file."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("BEGIN EXCLUSIVE")

    def rows(self) -> list[tuple[str, str]]:
        """What the database holds (readable by the lock holder)."""
        return [
            (str(r[0]), str(r[1]))
            for r in self.connection.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
        ]

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def stored(path: Path, sender_id: str) -> list[tuple[str, float]]:
    """(type, timestamp) of the stored events of ``sender_id``, in id order."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT type_name, timestamp FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)
        ).fetchall()
    return [(str(t), float(s)) for t, s in rows]


def stored_texts(path: Path, sender_id: str) -> list[str]:
    import json

    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender_id,)
        ).fetchall()
    return [json.loads(r[0])["text"] for r in rows]


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def say(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered(f"you said {text}"))


def test_saves_during_an_exclusive_lock_are_journalled_then_written_once_in_order(
    store: DurableSQLTrackerStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    db = tmp_path / "conversations.db"
    tracker = asyncio.run(store.get_or_create_tracker("c1"))
    say(tracker, "one")
    asyncio.run(store.save(tracker))
    assert stored_texts(db, "c1") == ["one"]

    lock = ExclusiveLock(db)
    try:
        say(tracker, "two")
        tracker.update(SlotSet("order_number", "KX/5521/A"))
        asyncio.run(store.save(tracker))  # no exception escapes
        assert store.journal.load("c1"), "the events were not journalled"
        assert [s for s, _ in lock.rows()] == ["c1"] * 3  # action_listen + user + bot; "two" is not in yet

        during = asyncio.run(store.retrieve("c1"))
        assert texts(during) == ["one", "two"]
        assert during is not None and during.get_slot("order_number") == "KX/5521/A"
        assert texts(asyncio.run(store.retrieve_full_tracker("c1"))) == ["one", "two"]

        say(during, "three")
        asyncio.run(store.save(during))  # still locked: journalled again, nothing lost

        restarted = make_store(tmp_path)  # a Rasa restart during the outage reads the journal from disk
        assert texts(asyncio.run(restarted.retrieve("c1"))) == ["one", "two", "three"]
        restarted.close()
    finally:
        lock.release()

    after = asyncio.run(store.retrieve("c1"))  # the database is back: the journal is written, then read
    assert texts(after) == ["one", "two", "three"]
    assert after is not None and after.get_slot("order_number") == "KX/5521/A"
    assert stored_texts(db, "c1") == ["one", "two", "three"]
    events = stored(db, "c1")
    assert len(events) == len(set(events)), "an event was written twice"
    assert [e.as_dict()["timestamp"] for e in after.events] == [t for _, t in events]
    assert store.journal.load("c1") is None and not store.journal.has_pending()

    asyncio.run(store.save(after))  # saving the same state again writes nothing
    assert stored(db, "c1") == events
    assert FALLBACK not in caplog.text
    assert "could not save conversation 'c1'" in caplog.text
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "could not save" in r.getMessage()]
    assert errors, "a journalled save must be logged at ERROR"


def test_a_short_lock_is_waited_out_with_retries_logged_at_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    store = make_store(tmp_path, retry_seconds=8)
    db = tmp_path / "conversations.db"
    tracker = asyncio.run(store.get_or_create_tracker("c2"))
    lock = ExclusiveLock(db)
    releaser = threading.Timer(1.0, lock.release)
    releaser.start()
    try:
        say(tracker, "hello")
        started = time.monotonic()
        asyncio.run(store.save(tracker))
        waited = time.monotonic() - started
    finally:
        releaser.join()
        store.close()
    assert 0.5 < waited < 8
    assert store.journal.load("c2") is None  # written directly once the lock was gone
    assert stored_texts(db, "c2") == ["hello"]
    retries = [r for r in caplog.records if r.levelno == logging.WARNING and "trying again" in r.getMessage()]
    assert retries


def test_retries_are_bounded(tmp_path: Path) -> None:
    store = make_store(tmp_path, retry_seconds=1.0, busy_timeout_ms=200)
    tracker = asyncio.run(store.get_or_create_tracker("c3"))
    lock = ExclusiveLock(tmp_path / "conversations.db")
    try:
        say(tracker, "hello")
        started = time.monotonic()
        asyncio.run(store.save(tracker))
        first = time.monotonic() - started
        say(tracker, "again")
        started = time.monotonic()
        asyncio.run(store.save(tracker))  # right after giving up: one attempt only
        second = time.monotonic() - started
    finally:
        lock.release()
        store.close()
    assert first < 1.0 + 0.2 + 1.0  # budget + one busy timeout + scheduling slack
    assert second < first
    assert texts(asyncio.run(make_store(tmp_path).retrieve("c3"))) == ["hello", "again"]


def test_no_silent_memory_fallback_through_rasas_failsafe_wrapper(
    store: DurableSQLTrackerStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    failsafe = FailSafeTrackerStore(store)  # how Rasa's Agent always wraps the store
    tracker = asyncio.run(failsafe.get_or_create_tracker("c4"))
    lock = ExclusiveLock(tmp_path / "conversations.db")
    try:
        for text in ("a", "b", "c"):
            current = asyncio.run(failsafe.retrieve("c4"))
            assert current is not None
            say(current, text)
            asyncio.run(failsafe.save(current))
    finally:
        lock.release()
    assert texts(asyncio.run(failsafe.retrieve("c4"))) == ["a", "b", "c"]
    assert stored_texts(tmp_path / "conversations.db", "c4") == ["a", "b", "c"]
    assert FALLBACK not in caplog.text
    assert tracker.sender_id == "c4"


def test_a_journal_left_after_its_events_were_written_adds_nothing(
    store: DurableSQLTrackerStore, tmp_path: Path
) -> None:
    """A crash after the commit but before the journal file was deleted: the next read writes nothing twice."""
    db = tmp_path / "conversations.db"
    tracker = asyncio.run(store.get_or_create_tracker("c5"))
    say(tracker, "one")
    say(tracker, "two")
    asyncio.run(store.save(tracker))
    before = stored(db, "c5")
    store.journal.write("c5", [e.as_dict() for e in tracker.events])
    assert texts(asyncio.run(store.retrieve("c5"))) == ["one", "two"]
    assert stored(db, "c5") == before
    assert store.journal.load("c5") is None


def _unavailable() -> sa_exc.OperationalError:
    return sa_exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))


def test_unreadable_database_continues_from_the_last_copy_and_never_duplicates(
    store: DurableSQLTrackerStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database can be neither read nor written (server down): last copy, journal, then catch up."""
    db = tmp_path / "conversations.db"
    tracker = asyncio.run(store.get_or_create_tracker("c6"))
    say(tracker, "one")
    asyncio.run(store.save(tracker))
    other = asyncio.run(store.get_or_create_tracker("c7"))
    say(other, "stored before the outage")
    asyncio.run(store.save(other))
    store._recent.pop("c7")  # as if this process had never seen c7 (first message after a restart)

    def down(*_args: Any) -> Any:
        raise _unavailable()

    with monkeypatch.context() as patch:
        patch.setattr(store, "_read_events", down)
        patch.setattr(store, "_write_missing", down)
        current = asyncio.run(store.retrieve("c6"))
        assert texts(current) == ["one"]  # this process's last copy
        assert current is not None
        say(current, "two")
        asyncio.run(store.save(current))
        assert texts(asyncio.run(store.retrieve("c6"))) == ["one", "two"]  # from the journal
        assert asyncio.run(store.retrieve("c7")) is None  # nothing known: Rasa starts it afresh
        fresh = asyncio.run(store.get_or_create_tracker("c7"))
        say(fresh, "said during the outage")
        asyncio.run(store.save(fresh))

    assert texts(asyncio.run(store.retrieve("c6"))) == ["one", "two"]
    assert stored_texts(db, "c6") == ["one", "two"]
    assert texts(asyncio.run(store.retrieve("c7"))) == ["stored before the outage", "said during the outage"]
    assert stored_texts(db, "c7") == ["stored before the outage", "said during the outage"]
    for sender in ("c6", "c7"):
        events = stored(db, sender)
        assert len(events) == len(set(events))
    assert not store.journal.has_pending()


def test_other_conversations_journals_are_written_when_the_database_is_back(
    store: DurableSQLTrackerStore, tmp_path: Path
) -> None:
    db = tmp_path / "conversations.db"
    tracker = asyncio.run(store.get_or_create_tracker("left"))
    lock = ExclusiveLock(db)
    try:
        say(tracker, "I will not come back")
        asyncio.run(store.save(tracker))
    finally:
        lock.release()
    assert store.journal.load("left")

    async def someone_else_talks() -> None:
        store._last_sweep = 0.0
        await store.retrieve("someone-else")
        assert store._sweep_task is not None
        await store._sweep_task

    asyncio.run(someone_else_talks())
    assert stored_texts(db, "left") == ["I will not come back"]
    assert not store.journal.has_pending()
    assert "left" in asyncio.run(store.keys())


def test_rendered_endpoints_create_the_store_through_rasa(tmp_path: Path) -> None:
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}", "TRACKER_STORE_BUSY_TIMEOUT_MS": "1500"}
    )
    path = write_endpoints(settings, tmp_path / "endpoints.yml")
    config = read_endpoint_config(str(path), "tracker_store")
    created = TrackerStore.create(config, DOMAIN)
    assert isinstance(created, DurableSQLTrackerStore)
    assert created.busy_timeout_ms == 1500 and created.journal.folder == tmp_path / "tracker-journal"
    tracker = asyncio.run(created.get_or_create_tracker("c8"))
    say(tracker, "hi")
    asyncio.run(created.save(tracker))
    with created.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    created.close()
    assert stored_texts(tmp_path / "conversations.db", "c8") == ["hi"]
    assert not (tmp_path / "cases.db").exists()  # nothing of the conversation in the case database
