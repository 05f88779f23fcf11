"""The signed socket.io channel against a real Rasa: a session id alone opens nothing."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import socketio

from bot.webchat import session_tokens
from tests.support.rasa_stack import RasaStack, rasa_stack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
SECRET = "socket-test-secret-" + "q" * 32


class ChatClient:
    """A python-socketio client that records what it receives."""

    def __init__(self, url: str, session_id: Optional[str] = None, signature: Optional[str] = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("bot_uttered", "session_confirm", "session_refused"):
            self.sio.on(name, self._recorder(name))
        query = f"?session_id={session_id}&signature={signature}" if session_id else ""
        self.sio.connect(url + "/" + query, transports=["polling"], wait_timeout=20)

    def _recorder(self, name: str) -> Any:
        def record(data: Any = None) -> None:
            self.events.put((name, data))

        return record

    def wait_for(self, name: str, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                kind, data = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == name:
                return data
        raise AssertionError(f"no {name} event within {timeout}s")

    def drain(self, seconds: float) -> list[tuple[str, Any]]:
        time.sleep(seconds)
        got = []
        while not self.events.empty():
            got.append(self.events.get())
        return got

    def say(self, session_id: str, text: str, signature: Optional[str]) -> None:
        custom = {"session_signature": signature} if signature else {}
        self.sio.emit("user_uttered", {"message": text, "session_id": session_id, "customData": custom})

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    work = tmp_path_factory.mktemp("socket")
    db = work / "cases.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    with rasa_stack(f"sqlite:///{db}", work, extra_env={"WEBCHAT_SECRET_KEY": SECRET}) as running:
        yield running


def _user_texts(stack: RasaStack, session_id: str) -> list[str]:
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{session_id}/tracker", timeout=30) as response:  # noqa: S310
        tracker = json.loads(response.read().decode())
    return [e.get("text") or "" for e in tracker.get("events", []) if e.get("event") == "user"]


def test_only_the_signed_client_reads_and_writes_its_conversation(stack: RasaStack) -> None:
    owner_token = session_tokens.issue(SECRET)
    other_token = session_tokens.issue(SECRET)
    victim = owner_token.session_id

    owner = ChatClient(stack.rasa_url, victim, owner_token.signature)
    unsigned = ChatClient(stack.rasa_url)
    other = ChatClient(stack.rasa_url, other_token.session_id, other_token.signature)
    clients = [owner, unsigned, other]
    try:
        owner.sio.emit("session_request", {"session_id": victim})
        assert owner.wait_for("session_confirm") == victim

        # no signature at all: refused, joins nothing
        unsigned.sio.emit("session_request", {"session_id": victim})
        unsigned.wait_for("session_refused", timeout=20)
        # a signature made for another id: refused when sent with the request...
        other.sio.emit("session_request", {"session_id": victim, "signature": other_token.signature})
        other.wait_for("session_refused", timeout=20)
        # ...and without one, the handshake's own session is confirmed, never the victim's
        other.sio.emit("session_request", {"session_id": victim})
        assert other.wait_for("session_confirm", timeout=20) == other_token.session_id

        # the owner talks and gets answers
        owner.say(victim, "hello", owner_token.signature)
        assert owner.wait_for("bot_uttered", timeout=120)

        # intruders try to post into the victim's conversation
        unsigned.say(victim, "INTRUDER unsigned message", None)
        other.say(victim, "INTRUDER message signed for another id", other_token.signature)
        other.say(victim, "INTRUDER forged signature", "0" * 64)
        unsigned.wait_for("session_refused", timeout=20)
        other.wait_for("session_refused", timeout=20)

        # the owner keeps talking; nobody else hears it
        owner.say(victim, "the stitching on my boot has come apart", owner_token.signature)
        assert owner.wait_for("bot_uttered", timeout=120)
        owner.drain(3)
        for intruder in (unsigned, other):
            received = intruder.drain(0.5)
            assert not [e for e in received if e[0] == "bot_uttered"], received

        texts = _user_texts(stack, victim)
        assert "hello" in " ".join(texts) or any(t.startswith("hello") for t in texts), texts
        assert not [t for t in texts if "INTRUDER" in t], texts
    finally:
        for client in clients:
            client.close()


def test_a_message_without_a_session_request_is_dropped(stack: RasaStack) -> None:
    token = session_tokens.issue(SECRET)
    client = ChatClient(stack.rasa_url, token.session_id, token.signature)
    try:
        # signed, but this socket never joined the session: dropped
        client.say(token.session_id, "INTRUDER before joining", token.signature)
        client.wait_for("session_refused", timeout=20)
        client.sio.emit("session_request", {"session_id": token.session_id})
        assert client.wait_for("session_confirm") == token.session_id
        client.say(token.session_id, "hi there", token.signature)
        assert client.wait_for("bot_uttered", timeout=120)
        assert not [t for t in _user_texts(stack, token.session_id) if "INTRUDER" in t]
    finally:
        client.close()
