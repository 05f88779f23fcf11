"""Customers in Slack: Rasa's Slack channel configuration and the relay from the app to Rasa."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.cases.store import Store
from bot.rasa_credentials import SLACK_RETRY_REASONS, write_credentials
from integrations.slack.app import build_app, wsgi_app
from tests.support.slack_standin import RasaRecorder, SignedSender, SlackStandIn, block_action, wait_for

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def rasa() -> Iterator[RasaRecorder]:
    """A recording stand-in for Rasa."""
    recorder = RasaRecorder()
    yield recorder
    recorder.stop()


@pytest.fixture
def slack(sqlite_store: Store, rasa: RasaRecorder) -> Iterator[SignedSender]:
    """The triage app, relaying to the recording Rasa."""
    standin = SlackStandIn().start()
    settings = sqlite_store.settings.with_overrides(
        slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.url, rasa_url=rasa.url
    )
    sender = SignedSender.serve(wsgi_app(build_app(settings, sqlite_store)), SECRET)
    yield sender
    sender.stop()
    standin.stop()


def _dm(text: str = "my boots fell apart", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "D0CUST",
        "channel_type": "im",
        "user": "U0CUST",
        "text": text,
        "ts": "1800000000.000200",
        **extra,
    }


def test_a_customer_dm_reaches_rasa_unchanged_and_still_verifiable(slack: SignedSender, rasa: RasaRecorder) -> None:
    from slack_sdk.signature import SignatureVerifier

    assert slack.event(_dm(), event_id="EvDM1").status == 200
    wait_for(lambda: rasa.requests)
    path, body, headers = rasa.requests[0]
    assert path == "/webhooks/slack/webhook"
    assert json.loads(body)["event"]["text"] == "my boots fell apart"
    assert SignatureVerifier(SECRET).is_valid(body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])


def test_retries_forgeries_bots_and_staff_threads_are_not_relayed(slack: SignedSender, rasa: RasaRecorder) -> None:
    assert slack.event(_dm(), event_id="EvDM2", retry=1).status == 200
    assert slack.event(_dm(bot_id="B1"), event_id="EvDM3").status == 200
    thread = {
        "type": "message",
        "channel": "C0TRIAGE",
        "channel_type": "channel",
        "user": "U1",
        "text": "hi",
        "ts": "2.0",
        "thread_ts": "1.0",
    }
    assert slack.event(thread, event_id="EvT").status == 200
    body = json.dumps({"type": "event_callback", "event_id": "EvF", "event": _dm()})
    assert slack.post(body, "application/json", slack.sign(body, secret="forged")).status == 401
    time.sleep(0.5)
    assert rasa.requests == []


def test_a_button_the_assistant_sent_in_a_dm_goes_to_rasa(slack: SignedSender, rasa: RasaRecorder) -> None:
    payload = block_action({"action_id": "abc", "type": "button", "value": "/affirm"}, user="U0CUST", channel="D0CUST")
    assert slack.interaction(payload).status == 200
    wait_for(lambda: rasa.requests)
    assert rasa.requests[0][1].startswith("payload=")


def test_rendered_credentials_add_slack_only_when_it_is_on(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.core.channels.slack import SlackInput
    from rasa.shared.utils.io import read_config_file

    off = write_credentials(sqlite_store.settings, tmp_path / "off.yml")
    assert "slack" not in read_config_file(off)
    assert oct(off.stat().st_mode & 0o777) == "0o600"
    on_settings = sqlite_store.settings.with_overrides(slack_bot_token="xoxb-1", slack_signing_secret=SECRET)
    on = write_credentials(on_settings, tmp_path / "on.yml")
    assert "xoxb-1" not in on.read_text() and "${SLACK_BOT_TOKEN}" in on.read_text()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    config = read_config_file(on)
    slack = config["integrations.customer_channels.GuardedSlackInput"]
    assert "integrations.customer_channels.GuardedRestInput" in config and slack["slack_token"] == "xoxb-1"
    channel = SlackInput.from_credentials(slack)
    assert channel.use_threads and channel.conversation_granularity == "thread"
    assert set(channel.errors_ignore_retry) == set(SLACK_RETRY_REASONS)
    assert channel._get_conversation_id("U1", "D1", "1.0") != channel._get_conversation_id("U1", "D1", "2.0")


# --- human takeover --------------------------------------------------------------------------

CONVERSATION = "U0CUST_D0CUST_1800000000.000100"


@pytest.fixture
def desk(sqlite_store: Store, rasa: RasaRecorder) -> Iterator[tuple[SignedSender, SlackStandIn, Store]]:
    """The triage app, its Slack stand-in and the store, with Rasa recorded."""
    standin = SlackStandIn().start()
    sqlite_store.settings = sqlite_store.settings.with_overrides(
        slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.url, rasa_url=rasa.url
    )
    sender = SignedSender.serve(wsgi_app(build_app(sqlite_store.settings, sqlite_store)), SECRET)
    yield sender, standin, sqlite_store
    sender.stop()
    standin.stop()


def _tracker_posts(rasa: RasaRecorder) -> list[list[dict[str, Any]]]:
    return [json.loads(body) for path, body, _h in rasa.requests if path.split("?")[0].endswith("/tracker/events")]


def test_take_over_talk_to_the_customer_and_hand_back(
    desk: tuple[SignedSender, SlackStandIn, Store], rasa: RasaRecorder
) -> None:
    from bot.cases import service
    from bot.cases.views import case_json
    from integrations.slack import cards
    from integrations.slack.client import web_client
    from integrations.slack.posting import card_location, post_new_cases

    slack, standin, store = desk
    draft = service.CaseDraft(
        description="zip broke", channel="slack", conversation_id=CONVERSATION, defect_category="hardware"
    )
    ref = service.open_case(store, draft).reference
    post_new_cases(store, web_client(store.settings), "#complaints-triage")
    channel, ts = card_location(store, ref) or ("", "")
    assert cards.ACTION_TAKEOVER in json.dumps(standin.called("chat.postMessage")[0]["blocks"])

    def kinds() -> list[str]:
        with store.unit_of_work() as uow:
            case = uow.cases.get(ref)
            assert case is not None
            return [e["kind"] for e in case_json(uow, case, store.clock(), with_events=True)["events"]]

    press = block_action({"action_id": cards.ACTION_TAKEOVER, "type": "button", "value": ref}, user="U200")
    assert slack.interaction(press).status == 200
    wait_for(lambda: "takeover_started" in kinds())
    assert _tracker_posts(rasa) == [[{"event": "pause"}]]
    assert f"/conversations/{CONVERSATION}/tracker/events" in rasa.requests[0][0]
    assert "token=" in rasa.requests[0][0]  # Rasa's API always gets its token (per-install key here)
    wait_for(lambda: standin.called("chat.update"))
    assert cards.ACTION_HANDBACK in json.dumps(standin.called("chat.update")[-1]["blocks"])

    staff = {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": "U200",
        "text": "Hello, I'm Sam from customer care.",
        "ts": "1800000001.000100",
        "thread_ts": ts,
    }
    assert slack.event(staff, event_id="EvStaff1").status == 200
    wait_for(lambda: [p for p in standin.called("chat.postMessage") if p["channel"] == "D0CUST"])
    assert slack.event(staff, event_id="EvStaff1", retry=1).status == 200
    assert slack.event(staff, event_id="EvStaff1").status == 200
    time.sleep(0.5)
    to_customer = [p for p in standin.called("chat.postMessage") if p["channel"] == "D0CUST"]
    assert len(to_customer) == 1 and to_customer[0]["thread_ts"] == "1800000000.000100"
    bot_events = [e for batch in _tracker_posts(rasa) for e in batch if e["event"] == "bot"]
    assert bot_events == [
        {"event": "bot", "text": "Hello, I'm Sam from customer care.", "metadata": {"staff": "slack:U200"}}
    ]
    assert kinds().count("message_relayed") == 1 and "note_added" not in kinds()

    reply = _dm("<!channel> thanks Sam", thread_ts="1800000000.000100", ts="1800000002.000100")
    assert slack.event(reply, event_id="EvCust1").status == 200
    wait_for(lambda: any("Customer:" in (p.get("text") or "") for p in standin.called("chat.postMessage")))
    mirrored = [p for p in standin.called("chat.postMessage") if "Customer:" in (p.get("text") or "")]
    assert mirrored[0]["thread_ts"] == ts and "&lt;!channel&gt; thanks Sam" in mirrored[0]["text"]
    assert any(path == "/webhooks/slack/webhook" for path, _b, _h in rasa.requests)

    back = block_action({"action_id": cards.ACTION_HANDBACK, "type": "button", "value": ref}, user="U200")
    assert slack.interaction(back).status == 200
    wait_for(lambda: "takeover_ended" in kinds())
    assert _tracker_posts(rasa)[-1] == [{"event": "resume"}]
    assert service.verify_case_chain(store, ref)["ok"]


def test_take_over_fails_cleanly_when_rasa_is_down(desk: tuple[SignedSender, SlackStandIn, Store]) -> None:
    from bot.cases import service
    from integrations.slack import cards

    slack, standin, store = desk
    store.settings = store.settings.with_overrides(rasa_url="http://127.0.0.1:9")
    from integrations.slack.runtime import configure

    configure(store.settings, store)
    ref = service.open_case(store, service.CaseDraft(description="x", conversation_id=CONVERSATION)).reference
    press = block_action({"action_id": cards.ACTION_TAKEOVER, "type": "button", "value": ref}, user="U200")
    assert slack.interaction(press).status == 200
    told = wait_for(lambda: [p for p in standin.called("chat.postEphemeral") if p["user"] == "U200"])
    assert "did not accept" in told[0]["text"]  # to the one who pressed, where they pressed
