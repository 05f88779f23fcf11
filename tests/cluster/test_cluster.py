"""The production layout under load: 50 concurrent complaints through nginx, one Rasa process killed mid-run.

``scripts/run_cluster.sh`` starts PostgreSQL (cases + Rasa's tracker store), Redis (Rasa's lock
store), two Rasa processes each with its own action server, a follow-up worker and nginx, on free
ports under a temporary folder. Fifty simulated customers (``tests/support/customer.py``) complain at
the same time through nginx's REST endpoint. When a third of the expected turns are done, one Rasa
process gets SIGKILL; nginx sends new requests to the survivor and the customers retry the turns
whose request failed.

Why a retry neither loses nor duplicates anything (see ``RetryingSender``):

* Rasa appends a message's events (user message, actions, bot messages) to the tracker store in one
  save at the end of handling it, under the conversation's lock in Redis. A message whose handling
  was cut off by the kill left nothing in the tracker, so it must be sent again: otherwise it would be
  lost. Before resending, the customer reads the conversation from the tracker store through a live
  Rasa process; if the message is already there (killed after the save, before the answer), the turn
  counts as handled and nothing is resent, so no user event can appear twice.
* The killed process may have held the conversation's Redis lock; the ticket expires after Rasa's
  lock lifetime (60 s), so the retried turn waits for it instead of running alongside.
* An action interrupted after it logged the case (the action server finished, Rasa died before
  saving) runs again on the retry: the case is keyed by conversation id, so the action returns
  the existing case instead of a second one (checked below: one case per conversation).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import yaml
from sqlalchemy import create_engine, text

from bot.cases.service import verify_case_chain
from bot.cases.store import open_store
from bot.settings import load_settings
from tests.support.cluster import Cluster, RetryingSender, run_cluster
from tests.support.customer import Conversation, Persona, complain

pytestmark = [pytest.mark.cluster, pytest.mark.rasa, pytest.mark.postgres, pytest.mark.slow]

CUSTOMERS = 50
TURNS_BEFORE_KILL = 0.33  # share of the expected turns done when rasa-1 is killed

PRODUCTS = [
    ("my Harrogate Chelsea boots", "the stitching on the side seam has split"),
    ("the Pennine Walking Boot", "the sole is coming away from the upper"),
    ("my Brixton Oxford Brogue", "the leather has cracked across the toe"),
    ("the Pennine Lite Hiker", "the heel has come off"),
    ("my Harrogate Suede Chelsea Boot", "the colour doesn't match the photos"),
]


FIRST_NAMES = ["Alex", "Sam", "Priya", "Tom", "Grace", "Omar", "Lucy", "Daniel", "Hannah", "Ravi"]
LAST_NAMES = ["Doe", "Jones", "Patel", "Evans", "Walsh"]


def persona(n: int) -> Persona:
    """Customer ``n``: one of a few stories, a unique email and name."""
    product, defect = PRODUCTS[n % len(PRODUCTS)]
    first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return Persona(
        story=f"Hi, {defect} on {product}",
        email=f"{first}.{last}.{n}@example.com".lower(),
        name=f"{first} {last}",
        product=product,
        defect=defect,
        date="3 weeks ago",
        resolution="replacement please",
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """The cluster with two Rasa processes (started once for the module)."""
    subprocess.run(
        ["scripts/install_system_deps.sh", "redis", "nginx"],
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    with run_cluster(rasa=2, workers=1) as running:
        yield running


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _socketio_upstreams(cluster: Cluster, sessions: list[str]) -> dict[str, set[str]]:
    """Send socket.io polling requests for each session id; return the Rasa processes that got each."""
    for session in sessions:
        for _ in range(3):
            url = f"{cluster.url}/socket.io/?EIO=4&transport=polling&session_id={session}&signature=x"
            # a refused handshake (bad signature) still went through nginx to one process
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(url, timeout=60).close()  # noqa: S310 - localhost only
    seen: dict[str, set[str]] = {session: set() for session in sessions}
    for line in cluster.log("nginx-access").splitlines():
        found = re.search(r"session_id=([\w-]+).* upstream=(\S+)", line)
        if found and found.group(1) in seen:
            seen[found.group(1)].add(found.group(2))
    return seen


def test_fifty_concurrent_complaints_survive_a_killed_rasa_process(cluster: Cluster) -> None:
    # socket.io is sticky: every request of one session reaches the same Rasa process, and the
    # sessions are spread over both.
    sticky = _socketio_upstreams(cluster, [f"sticky-{n}" for n in range(12)])
    assert all(len(upstreams) == 1 for upstreams in sticky.values()), sticky
    assert len(set().union(*sticky.values())) == 2, sticky

    sender = RetryingSender(cluster.url, cluster.auth_token)
    sender.sent.clear()
    names = [f"cluster-{n:02d}" for n in range(CUSTOMERS)]
    turns_done = 0
    lock = threading.Lock()
    expected_turns = CUSTOMERS * 9  # a complaint takes about nine turns

    def counting_send(who: str, message: str) -> list[dict[str, object]]:
        nonlocal turns_done
        replies = sender(who, message)
        with lock:
            turns_done += 1
        return replies

    victim = cluster.pid("rasa-1")
    killed_at: list[int] = []

    def killer() -> None:
        while True:
            with lock:
                done = turns_done
            if done >= expected_turns * TURNS_BEFORE_KILL:
                os.kill(victim, signal.SIGKILL)
                killed_at.append(done)
                return
            time.sleep(0.2)

    kill_thread = threading.Thread(target=killer, daemon=True)
    kill_thread.start()
    with ThreadPoolExecutor(max_workers=CUSTOMERS) as pool:
        futures = [pool.submit(complain, counting_send, name, persona(n)) for n, name in enumerate(names)]
        conversations: list[Conversation] = [f.result(timeout=900) for f in futures]
    kill_thread.join(timeout=5)

    # The kill happened mid-run, the victim is gone, and its in-flight turns were retried.
    assert killed_at and killed_at[0] < sum(len(c.turns) for c in conversations), killed_at
    time.sleep(1)
    assert not _alive(victim)
    assert _alive(cluster.pid("rasa-2"))
    assert sender.retries > 0, "no request failed: the kill did not hit any conversation in flight"

    # Every customer got a case reference, all different.
    references = [c.reference for c in conversations]
    assert all(references), [c.transcript() for c in conversations if not c.reference][:1]
    assert len(set(references)) == CUSTOMERS

    engine = create_engine(cluster.database_url, future=True)
    try:
        with engine.connect() as conn:
            cases = conn.execute(text("SELECT reference, conversation_id FROM cases")).all()
            events = conn.execute(
                text("SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE 'cluster-%' ORDER BY id")
            ).all()
    finally:
        engine.dispose()

    # PostgreSQL: exactly one case per conversation, with the reference the customer was given.
    assert len(cases) == CUSTOMERS
    by_conversation = {conversation_id: reference for reference, conversation_id in cases}
    assert len(by_conversation) == CUSTOMERS
    for conversation in conversations:
        assert by_conversation[conversation.sender] == conversation.reference

    # Each case's audit hash chain verifies.
    store = open_store(load_settings({"DATABASE_URL": cluster.database_url}))
    try:
        for reference in references:
            report = verify_case_chain(store, str(reference))
            assert report["ok"], report
    finally:
        store.dispose()

    # Tracker store: every customer message exactly once, in order; the bot's answer to the last one
    # (the conversation's end) holds the case reference.
    user_texts: dict[str, list[str]] = {name: [] for name in names}
    final_answer: dict[str, list[str]] = {name: [] for name in names}
    for sender_id, type_name, data in events:
        event = json.loads(data)
        if type_name == "user":
            user_texts[sender_id].append(event.get("text"))
            final_answer[sender_id] = []
        elif type_name == "bot":
            final_answer[sender_id].append(event.get("text") or "")
    for conversation in conversations:
        said = [message for message, _ in conversation.turns]
        assert user_texts[conversation.sender] == said, conversation.transcript()
        assert str(conversation.reference) in "\n".join(final_answer[conversation.sender])

    # Both Rasa processes served traffic through nginx before the kill.
    upstreams = set(re.findall(r"upstream=(127\.0\.0\.1:\d+)", cluster.log("nginx-access")))
    assert {f"127.0.0.1:{port}" for port in cluster.rasa_ports} <= upstreams

    # Redis really was the lock store: the rendered endpoints say so and Redis saw Rasa's lock traffic.
    for n in (1, 2):
        endpoints = yaml.safe_load((cluster.directory / f"endpoints-{n}.yml").read_text())
        assert endpoints["lock_store"]["type"] == "redis"
        assert endpoints["lock_store"]["port"] == cluster.redis_port
        assert endpoints["tracker_store"]["dialect"] == "postgresql"
    stats = subprocess.run(
        ["redis-cli", "-p", str(cluster.redis_port), "INFO", "commandstats"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lock_writes = sum(int(n) for n in re.findall(r"cmdstat_set:calls=(\d+)", stats))
    assert lock_writes >= sum(len(c.turns) for c in conversations), stats
