"""The signed socket.io channel against a real Rasa: a session id alone opens nothing; staff who
take a web chat conversation over from Slack talk to the customer live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from integrations.webchat import session_tokens
from tests.support.chat_client import ChatClient
from tests.support.rasa_stack import RasaStack, rasa_stack
from tests.support.slack_standin import SignedSender, SlackStandIn, block_action, wait_for

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
SECRET = "socket-test-secret-" + "q" * 32


SLACK_SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def slack_api() -> Iterator[SlackStandIn]:
    """The Slack Web API stand-in the triage app and Rasa's web chat channel talk to."""
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, slack_api: SlackStandIn) -> Iterator[RasaStack]:
    work = tmp_path_factory.mktemp("socket")
    db = work / "cases.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    slack_env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": slack_api.url}
    with rasa_stack(f"sqlite:///{db}", work, extra_env={"WEBCHAT_SECRET_KEY": SECRET, **slack_env}) as running:
        yield running


def _user_texts(stack: RasaStack, session_id: str) -> list[str]:
    with urllib.request.urlopen(stack.api_url(f"/conversations/{session_id}/tracker"), timeout=30) as response:  # noqa: S310
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


def _tracker_events(stack: RasaStack, session_id: str) -> list[dict[str, Any]]:
    token = stack.env.get("RASA_AUTH_TOKEN", "")
    query = f"?token={token}" if token else ""
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{session_id}/tracker{query}", timeout=30) as answer:  # noqa: S310
        return list(json.loads(answer.read().decode()).get("events", []))


def _bot_texts(events: list[tuple[str, Any]]) -> list[str]:
    return [str((data or {}).get("text") or "") for kind, data in events if kind == "bot_uttered"]


def test_staff_take_over_a_web_chat_and_talk_live(stack: RasaStack, slack_api: SlackStandIn) -> None:
    """Take over from the case card: staff thread -> the customer's chat window at once, the
    customer's replies -> the thread, the assistant silent until it is handed back."""
    from bot.cases import service
    from bot.cases.store import open_store
    from bot.settings import load_settings
    from integrations.slack import cards
    from integrations.slack.app import build_app, wsgi_app
    from integrations.slack.client import web_client
    from integrations.slack.posting import card_location, post_new_cases

    settings = load_settings(
        {
            "DATABASE_URL": stack.env["DATABASE_URL"],
            "RASA_URL": stack.rasa_url,
            "RASA_AUTH_TOKEN": stack.env.get("RASA_AUTH_TOKEN", ""),
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": slack_api.url,
        }
    )
    store = open_store(settings)
    desk = SignedSender.serve(wsgi_app(build_app(settings, store)), SLACK_SECRET)
    token = session_tokens.issue(SECRET)
    customer = ChatClient(stack.rasa_url, token.session_id, token.signature)
    try:
        customer.sio.emit("session_request", {"session_id": token.session_id})
        assert customer.wait_for("session_confirm") == token.session_id
        customer.say(token.session_id, "hello", token.signature)
        assert customer.wait_for("bot_uttered", timeout=120)
        customer.drain(2)

        draft = service.CaseDraft(
            description="the buckle snapped",
            channel="socketio",
            conversation_id=token.session_id,
            defect_category="hardware",
        )
        ref = service.open_case(store, draft).reference
        post_new_cases(store, web_client(settings), "#complaints-triage")
        channel, thread = card_location(store, ref) or ("", "")
        assert thread

        def kinds() -> list[str]:
            with store.unit_of_work() as uow:
                case = uow.cases.get(ref)
                assert case is not None
                return [e.kind for e in uow.cases.events(case)]

        assert (
            desk.interaction(
                block_action({"action_id": cards.ACTION_TAKEOVER, "type": "button", "value": ref}, user="U200")
            ).status
            == 200
        )
        wait_for(lambda: "takeover_started" in kinds(), timeout=30)

        staff = {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": "U200",
            "text": "Hello, I'm Sam from customer care. Could you send a photo of the buckle?",
            "ts": "1800000001.000100",
            "thread_ts": thread,
        }
        assert desk.event(staff, event_id="EvWebStaff1").status == 200
        heard = customer.wait_for("bot_uttered", timeout=30)
        assert heard["text"] == staff["text"]
        # Slack retries the event: the customer hears it once
        assert desk.event(staff, event_id="EvWebStaff1", retry=1).status == 200
        assert desk.event(staff, event_id="EvWebStaff1").status == 200

        customer.say(token.session_id, "sure, sending it now", token.signature)
        mirrored = wait_for(
            lambda: [p for p in slack_api.called("chat.postMessage") if "sending it now" in (p.get("text") or "")],
            timeout=30,
        )
        assert mirrored[0]["thread_ts"] == thread and mirrored[0]["text"].startswith("*Customer:*")
        # the assistant stays silent while staff hold the conversation
        assert _bot_texts(customer.drain(3)) == []
        assert kinds().count("message_relayed") == 2

        assert (
            desk.interaction(
                block_action({"action_id": cards.ACTION_HANDBACK, "type": "button", "value": ref}, user="U200")
            ).status
            == 200
        )
        wait_for(lambda: "takeover_ended" in kinds(), timeout=30)
        customer.say(token.session_id, "hello again", token.signature)
        assert customer.wait_for("bot_uttered", timeout=120)

        events = _tracker_events(stack, token.session_id)
        staff_lines = [e for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get("staff")]
        assert [(e["text"], e["metadata"]["staff"]) for e in staff_lines] == [(staff["text"], "slack:U200")]
        assert "sure, sending it now" in [e.get("text") for e in events if e.get("event") == "user"]
        assert service.verify_case_chain(store, ref)["ok"]
    finally:
        customer.close()
        desk.stop()
        store.dispose()
