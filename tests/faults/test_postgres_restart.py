"""A PostgreSQL restart in the middle of a conversation, with cases AND Rasa's tracker on it.

A real PostgreSQL server (Debian's packages, ``scripts/local_postgres.py``) holds the cases and Rasa's tracker
store (``integrations.rasa_tracker_store.DurableSQLTrackerStore``: ``pool_pre_ping``, retries, journal).
The server is restarted between two turns, and stopped while a turn is being handled and started again a
couple of seconds later. The conversation continues where it was: the tracker holds every customer message
once, in order, Rasa never falls back to its in-memory tracker store, and confirming the complaint after the
restarts makes exactly one case.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from sqlalchemy import create_engine, text

from scripts import local_postgres
from tests.support.customer import ANSWERS, REFERENCE, Persona
from tests.support.rasa_stack import RasaStack, rasa_stack
from tests.support.servers import free_port, wait_for_port

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
FALLBACK = "Falling back to use the 'InMemoryTrackerStore'"


class Postgres:
    """A PostgreSQL cluster in a temporary folder that the test can stop and start again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        local_postgres.init_cluster(self.data)

    def start(self) -> None:
        local_postgres.start(self.data, self.port, self.root / "log" / "server.log", self.root / "socket")
        wait_for_port(self.port)

    def stop(self) -> None:
        local_postgres.stop(self.data, mode="fast")

    @property
    def server_url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    root = Path(tempfile.mkdtemp(prefix="complaints-pg-restart-"))
    if os.geteuid() == 0:
        import shutil

        shutil.chown(root, "postgres", "postgres")
    server = Postgres(root)
    server.start()
    try:
        yield server
    finally:
        local_postgres.stop(server.data, mode="immediate")
        subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="module")
def database_url(postgres: Postgres) -> str:
    return local_postgres.ensure_database(postgres.server_url, "complaints")


@pytest.fixture(scope="module")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    work = tmp_path_factory.mktemp("pg-restart")
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN), "seed", "--no-cases"], env=env, check=True, capture_output=True)
    extra = {"TRACKER_JOURNAL_DIR": str(work / "tracker-journal")}
    with rasa_stack(database_url, work, extra_env=extra) as running:
        yield running


def next_message(who: Persona, replies: list[str]) -> Optional[str]:
    last = replies[-1] if replies else ""
    for pattern, answer in ANSWERS:
        if pattern.search(last):
            return answer(who)
    return None


def tracker_events(stack: RasaStack, sender: str) -> list[dict[str, Any]]:
    url = stack.api_url(f"/conversations/{urllib.parse.quote(sender)}/tracker?include_events=ALL")
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - localhost only
        return list(json.loads(response.read().decode())["events"])


def _cli(stack: RasaStack, *args: str) -> str:
    return subprocess.run([str(BIN), *args], env={**stack.env}, check=True, capture_output=True, text=True).stdout


def test_conversation_continues_across_postgresql_restarts(
    stack: RasaStack, postgres: Postgres, database_url: str
) -> None:
    sender = "pg-restart-1"
    who = Persona(
        story="Hi, the stitching on the side seam of my Harrogate Chelsea boots has split",
        email="pg.restart@example.com",
        name="Morgan Hale",
        product="my Harrogate Chelsea boots",
        defect="the stitching on the side seam has split",
        date="3 weeks ago",
        resolution="replacement please",
    )
    sent: list[str] = []
    turns: list[list[str]] = []
    reference: Optional[str] = None

    def turn(message: str) -> list[str]:
        replies = [str(m.get("text") or "") for m in stack.send(sender, message, timeout=180)]
        sent.append(message)
        turns.append(replies)
        assert replies, f"no answer to {message!r}"
        return replies

    message: Optional[str] = who.story
    for number in range(20):
        assert message is not None, f"no answer for the assistant's question: {turns}"
        if number == 2:  # restarted between two turns
            postgres.stop()
            postgres.start()
        if number == 4:  # stopped while the turn is handled, back two seconds later
            postgres.stop()
            restart = threading.Timer(2.0, postgres.start)
            restart.start()
            try:
                replies = turn(message)
            finally:
                restart.join()
        else:
            replies = turn(message)
        joined = "\n".join(replies)
        found = REFERENCE.search(joined)
        if found and "logged your case" in joined:
            reference = found.group(0)
            break
        if "reference will follow" in joined:  # confirmed while the database was still catching up: outbox
            replayed = subprocess.run(
                [str(BIN), "outbox", "replay", "--json", "--no-notify"],
                env={**stack.env},
                check=True,
                capture_output=True,
                text=True,
            )
            assert json.loads(replayed.stdout)["written"] == 1, replayed.stdout
            mine = [c for c in json.loads(_cli(stack, "cases", "list", "--json")) if c["conversation_id"] == sender]
            reference = str(mine[0]["reference"])
            break
        message = next_message(who, replies)
    assert reference, turns
    assert len(sent) > 5, "the restarts did not happen during the conversation"

    events = tracker_events(stack, sender)
    assert [e.get("text") for e in events if e.get("event") == "user"] == sent

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
            cases = (
                connection.execute(text("SELECT reference FROM cases WHERE conversation_id = :s"), {"s": sender})
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert [json.loads(d)["text"] for t, _, d in rows if t == "user"] == sent
    keys = [(t, s) for t, s, _ in rows]
    assert len(keys) == len(set(keys)), "an event was stored twice"
    assert cases == [reference]

    log = (stack.logs / "rasa.log").read_text(errors="replace")
    assert FALLBACK not in log
    assert not re.search(r"Error happened when trying to (save|retrieve) conversation tracker", log)


def test_an_outage_longer_than_the_retries_is_journalled_and_written_once_when_back(
    stack: RasaStack, postgres: Postgres, database_url: str
) -> None:
    """PostgreSQL down for longer than the tracker store's retry budget: the turns go to the journal."""
    sender = "pg-outage-2"
    journal = Path(stack.env["TRACKER_JOURNAL_DIR"])
    sent = ["Hi, the sole of my Pennine Walking Boot is coming away from the upper"]
    assert stack.send(sender, sent[0], timeout=180)
    postgres.stop()
    try:
        for message in ("are you still there?", "hello?"):
            stack.send(sender, message, timeout=180)  # what the bot says depends on the case database, also down
            sent.append(message)
            assert list(journal.glob("*.json")), "the turn's events were not journalled"
        assert [e.get("text") for e in tracker_events(stack, sender) if e.get("event") == "user"] == sent
    finally:
        postgres.start()
    sent.append("thanks")
    stack.send(sender, "thanks", timeout=180)
    assert [e.get("text") for e in tracker_events(stack, sender) if e.get("event") == "user"] == sent
    assert not list(journal.glob("*.json")), "the journal was not written to the database"

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
    finally:
        engine.dispose()
    assert [json.loads(d)["text"] for t, _, d in rows if t == "user"] == sent
    keys = [(t, s) for t, s, _ in rows]
    assert len(keys) == len(set(keys)), "an event was stored twice"
    log = (stack.logs / "rasa.log").read_text(errors="replace")
    assert FALLBACK not in log
    assert f"could not save conversation '{sender}'" in log
    assert "the database is back" in log
