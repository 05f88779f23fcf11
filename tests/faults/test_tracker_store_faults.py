"""Conversations survive database locks, through a real Rasa server and action server (embedded SQLite).

Rasa keeps conversations in ``conversations.db`` beside the case database, through
``integrations.rasa_tracker_store.DurableSQLTrackerStore``:

* the CASE database locked by another process during the turns that read back, resolve and confirm the
  complaint: every customer message is in the tracker once, in order, and Rasa never falls back to its
  in-memory tracker store (it used to, when conversations shared the case file);
* the CONVERSATIONS file locked during a turn (longer than the store's retry budget, shortened here): the
  customer still gets replies, the events wait in the journal, and after the lock is released every message
  is in the tracker once, in order.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

import pytest

from tests.support.customer import ANSWERS, REFERENCE, Persona
from tests.support.rasa_stack import RasaStack, rasa_stack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
FALLBACK = "Falling back to use the 'InMemoryTrackerStore'"


class ExclusiveLock:
    """Another connection holding ``BEGIN EXCLUSIVE`` on an SQLite file (a stuck writer, a backup tool)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def persona(n: int) -> Persona:
    return Persona(
        story="Hi, the stitching on the side seam of my Harrogate Chelsea boots has split",
        email=f"tracker.faults.{n}@example.com",
        name="Robin Fault",
        product="my Harrogate Chelsea boots",
        defect="the stitching on the side seam has split",
        date="3 weeks ago",
        resolution="replacement please",
    )


def next_message(who: Persona, replies: list[str]) -> Optional[str]:
    """What the simulated customer answers to the assistant's last message (None: nothing to answer)."""
    last = replies[-1] if replies else ""
    for pattern, answer in ANSWERS:
        if pattern.search(last):
            return answer(who)
    return None


def tracker_user_texts(stack: RasaStack, sender: str) -> list[str]:
    url = stack.api_url(f"/conversations/{urllib.parse.quote(sender)}/tracker?include_events=ALL")
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - localhost only
        events = json.loads(response.read().decode())["events"]
    return [str(e.get("text")) for e in events if e.get("event") == "user"]


def stored_events(db: Path, sender: str) -> list[tuple[str, float, str]]:
    """The conversation as the conversations file holds it: (type, timestamp, data), in id order."""
    with sqlite3.connect(db, timeout=30) as connection:
        rows = connection.execute(
            "SELECT type_name, timestamp, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [(str(t), float(s), str(d)) for t, s, d in rows]


def assert_kept_once_in_order(stack: RasaStack, db: Path, sender: str, sent: list[str]) -> None:
    assert tracker_user_texts(stack, sender) == sent
    rows = stored_events(db, sender)
    assert [json.loads(d)["text"] for t, _, d in rows if t == "user"] == sent
    keys = [(t, s) for t, s, _ in rows]
    assert len(keys) == len(set(keys)), "an event was stored twice"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tracker-faults")


@pytest.fixture(scope="module")
def stack(work: Path) -> Iterator[RasaStack]:
    url = f"sqlite:///{work / 'cases.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN), "seed", "--no-cases"], env=env, check=True, capture_output=True)
    # A short retry budget, so a lock of a few seconds exercises the journal, not only the retries.
    extra = {"TRACKER_STORE_RETRY_SECONDS": "1", "TRACKER_STORE_BUSY_TIMEOUT_MS": "500"}
    with rasa_stack(url, work, extra_env=extra) as running:
        yield running


def rasa_log(stack: RasaStack) -> str:
    return (stack.logs / "rasa.log").read_text(errors="replace")


def test_a_locked_case_database_loses_no_conversation_event(stack: RasaStack, work: Path) -> None:
    sender, who = "faults-case-db-locked", persona(1)
    sent: list[str] = []
    lock: Optional[ExclusiveLock] = None
    message: Optional[str] = who.story
    turns = []
    try:
        for _ in range(20):
            if message is None:
                break
            last = turns[-1][-1] if turns and turns[-1] else ""
            if lock is None and re.search(r"is that all correct|is the summary right|which would you", last, re.I):
                lock = ExclusiveLock(work / "cases.db")  # held from the read-back to the end
            started = time.monotonic()
            replies = [str(m.get("text") or "") for m in stack.send(sender, message, timeout=120)]
            sent.append(message)
            turns.append(replies)
            assert replies, f"no answer to {message!r} after {time.monotonic() - started:.1f} s"
            if REFERENCE.search("\n".join(replies)) and "logged your case" in "\n".join(replies):
                break
            message = next_message(who, replies)
        assert lock is not None, f"the conversation never reached the read-back: {turns}"
    finally:
        if lock is not None:
            lock.release()
    assert len(sent) >= 4, turns
    assert_kept_once_in_order(stack, work / "conversations.db", sender, sent)
    assert FALLBACK not in rasa_log(stack)


def test_a_locked_conversations_file_keeps_every_message(stack: RasaStack, work: Path) -> None:
    sender, who = "faults-conversations-locked", persona(2)
    journal = work / "tracker-journal"
    sent = [who.story]
    replies = [str(m.get("text") or "") for m in stack.send(sender, who.story, timeout=120)]
    assert replies
    lock = ExclusiveLock(work / "conversations.db")
    try:
        for _ in range(2):  # two turns while the conversations file is locked
            message = next_message(who, replies)
            assert message, replies
            replies = [str(m.get("text") or "") for m in stack.send(sender, message, timeout=120)]
            sent.append(message)
            assert replies, f"no answer to {message!r} while the conversations file was locked"
            assert list(journal.glob("*.json")), "the turn's events were not journalled"
        assert tracker_user_texts(stack, sender) == sent  # read during the lock: database plus journal
    finally:
        lock.release()
    message = next_message(who, replies)
    assert message, replies
    assert [str(m.get("text") or "") for m in stack.send(sender, message, timeout=120)]
    sent.append(message)
    assert_kept_once_in_order(stack, work / "conversations.db", sender, sent)
    assert not list(journal.glob("*.json")), "the journal was not written to the database"
    log = rasa_log(stack)
    assert FALLBACK not in log
    assert "could not save conversation 'faults-conversations-locked'" in log
    assert "the database is back" in log
