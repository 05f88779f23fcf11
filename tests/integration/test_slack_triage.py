"""The Slack triage app over real signed HTTP requests, against a stand-in Slack Web API.

No Slack and no Rasa: the bolt app is served on a free port, requests are signed like Slack
signs them, and every Web API call lands in :class:`SlackStandIn`.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any, Iterator

import pytest

from bot.cases import service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.cases.views import case_json
from bot.clock import FrozenClock
from integrations.scheduler import run_pass
from integrations.slack import cards
from integrations.slack.app import build_app, wsgi_app
from integrations.slack.posting import card_location, post_new_cases, post_sla_alerts, post_spike_alerts
from tests.support.slack_standin import SignedSender, SlackStandIn, block_action, channel_id, view_submission, wait_for

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TRIAGE = "#complaints-triage"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """A stand-in Slack Web API."""
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def slack_store(sqlite_store: Store, standin: SlackStandIn) -> Store:
    """A store whose settings switch Slack on, pointed at the stand-in."""
    sqlite_store.settings = sqlite_store.settings.with_overrides(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=standin.url,
        slack_triage_channel=TRIAGE,
    )
    return sqlite_store


@pytest.fixture
def slack(slack_store: Store) -> Iterator[SignedSender]:
    """The bolt app served over HTTP, with a signing sender."""
    sender = SignedSender.serve(wsgi_app(build_app(slack_store.settings, slack_store)), SECRET)
    yield sender
    sender.stop()


class _Noop:
    def deliver(self, item: Any) -> str:
        raise AssertionError("no follow-ups are due in these tests")


def _open(store: Store, text: str = "my sole came off", **changes: Any) -> str:
    draft = CaseDraft(
        description=text,
        customer_name="Eve Example",
        customer_email="eve@example.com",
        defect_category="sole_separation",
        component="sole",
        channel="slack",
        conversation_id="D1:1.0",
        transcript=[TranscriptTurn("customer", text), TranscriptTurn("bot", "I'm sorry to hear that.")],
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return service.open_case(store, draft).reference


def _get(store: Store, ref: str) -> dict[str, Any]:
    """The case JSON with its events (no transcript needed here)."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        assert case is not None
        return case_json(uow, case, store.clock(), with_events=True)


def _events(store: Store, ref: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in _get(store, ref)["events"] if e["kind"] == kind]


def _posted_card(store: Store, standin: SlackStandIn) -> str:
    ref = _open(store)
    assert post_new_cases(store, standin_client(store), TRIAGE) == [ref]
    return ref


def standin_client(store: Store) -> Any:
    from integrations.slack.client import web_client

    return web_client(store.settings)


# --- cards -----------------------------------------------------------------------------------


def test_a_card_is_posted_once_per_case_with_its_location_recorded(slack_store: Store, standin: SlackStandIn) -> None:
    ref = _open(slack_store)
    client = standin_client(slack_store)
    assert post_new_cases(slack_store, client, TRIAGE) == [ref]
    assert post_new_cases(slack_store, client, TRIAGE) == []
    posts = standin.called("chat.postMessage")
    assert len(posts) == 1 and posts[0]["channel"] == TRIAGE
    assert ref in json.dumps(posts[0]["blocks"])
    [event] = _events(slack_store, ref, "slack_card_posted")
    assert event["data"]["channel"] == channel_id(TRIAGE) and event["data"]["ts"]
    assert card_location(slack_store, ref) == (event["data"]["channel"], event["data"]["ts"])
    assert service.verify_case_chain(slack_store, ref)["ok"]


def test_the_scheduler_pass_posts_cards_and_sla_alerts_once(slack_store: Store, standin: SlackStandIn) -> None:
    ref = _open(slack_store)
    run_pass(slack_store, _Noop())
    run_pass(slack_store, _Noop())
    assert len([p for p in standin.called("chat.postMessage") if p.get("blocks")]) == 1
    clock = slack_store.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(days=30)
    first = run_pass(slack_store, _Noop())
    again = run_pass(slack_store, _Noop())
    alerts = [p["text"] for p in standin.called("chat.postMessage") if "SLA" in (p.get("text") or "")]
    assert alerts and all(ref in a for a in alerts)
    assert len(alerts) == len(set(alerts)) == len(first.slack["sla_alerts"])
    assert again.slack["sla_alerts"] == [] and again.slack["cards"] == []


def test_slack_off_means_the_scheduler_never_calls_slack(sqlite_store: Store, standin: SlackStandIn) -> None:
    _open(sqlite_store)
    report = run_pass(sqlite_store, _Noop())
    assert report.slack == {} and standin.calls == []


def test_customer_markup_is_neutralised_on_the_card(slack_store: Store, standin: SlackStandIn) -> None:
    _open(
        slack_store,
        "<!channel> <!here> <@U0ADMIN> <#C0GENERAL> <http://evil.example|your refund> & more",
        customer_name="<!everyone> Mallory",
    )
    post_new_cases(slack_store, standin_client(slack_store), TRIAGE)
    dumped = json.dumps(standin.called("chat.postMessage")[0])
    for raw in ("<!channel>", "<!here>", "<@U0ADMIN>", "<#C0GENERAL>", "<http://evil.example", "<!everyone>"):
        assert raw not in dumped
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN&gt;" in dumped
    assert "&lt;http://evil.example|your refund&gt; &amp; more" in dumped


def test_a_recurring_problem_is_alerted_once(slack_store: Store, standin: SlackStandIn) -> None:
    refs = [_open(slack_store, f"sole came off {n}", sku=None) for n in range(3)]
    from sqlalchemy import update

    from bot.cases.models import Case

    with slack_store.unit_of_work() as uow:
        uow.session.execute(update(Case).where(Case.reference.in_(refs)).values(product_line="boots"))
        uow.commit()
    slack_store.clock.advance(hours=1)  # type: ignore[attr-defined]
    client = standin_client(slack_store)
    assert post_spike_alerts(slack_store, client, TRIAGE) == ["product_line:boots:sole_separation"]
    assert post_spike_alerts(slack_store, client, TRIAGE) == []
    texts = [p["text"] for p in standin.called("chat.postMessage")]
    assert len(texts) == 1 and "Recurring problem" in texts[0]
    assert all(len(_events(slack_store, r, "recurring_problem_alerted")) == 1 for r in refs)
    assert post_sla_alerts(slack_store, client, TRIAGE) == []


# --- signatures ------------------------------------------------------------------------------


def _home_event() -> dict[str, Any]:
    return {"type": "app_home_opened", "user": "U100", "channel": "D100", "tab": "home", "event_ts": "1.0"}


def test_signed_requests_are_accepted_and_bad_ones_rejected(slack: SignedSender, standin: SlackStandIn) -> None:
    body = json.dumps({"type": "event_callback", "team_id": "T0001", "event_id": "Ev1", "event": _home_event()})
    assert slack.post(body, "application/json", slack.sign(body)).status == 200
    forged = slack.sign(body, secret="not-the-secret")
    assert slack.post(body, "application/json", forged).status == 401
    stale = slack.sign(body, timestamp=int(time.time()) - 6 * 60)
    assert slack.post(body, "application/json", stale).status == 401
    altered = body.replace("U100", "U666")
    assert slack.post(altered, "application/json", slack.sign(body)).status == 401
    assert slack.post(body, "application/json", {}).status == 401
    wait_for(lambda: standin.called("views.publish"))
    time.sleep(0.3)
    assert [v["user_id"] for v in standin.called("views.publish")] == ["U100"]


def test_a_forged_button_press_changes_nothing(slack: SignedSender, slack_store: Store) -> None:
    ref = _open(slack_store)
    body = urllib.parse.urlencode(
        {"payload": json.dumps(block_action({"action_id": cards.ACTION_ASSIGN, "type": "button", "value": ref}))}
    )
    answer = slack.post(body, "application/x-www-form-urlencoded", slack.sign(body, secret="guess"))
    assert answer.status == 401
    time.sleep(0.3)
    assert _get(slack_store, ref)["assignee"] is None


# --- buttons and modals ----------------------------------------------------------------------


def _card_updated(standin: SlackStandIn, ts: str, count: int = 1) -> bool:
    return len([u for u in standin.called("chat.update") if u["ts"] == ts]) >= count


def test_assign_to_me_assigns_writes_events_and_updates_the_card(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn
) -> None:
    ref = _posted_card(slack_store, standin)
    _channel, ts = card_location(slack_store, ref) or ("", "")
    answer = slack.interaction(block_action({"action_id": cards.ACTION_ASSIGN, "type": "button", "value": ref}))
    assert answer.status == 200
    wait_for(lambda: _card_updated(standin, ts))
    case = _get(slack_store, ref)
    assert case["assignee"] == "slack:U100" and case["status"] == "triaged"
    [assigned] = _events(slack_store, ref, "assigned")
    assert assigned["actor"] == "slack:U100"
    update = standin.called("chat.update")[-1]
    assert update["channel"] == channel_id(TRIAGE) and "<@U100>" in json.dumps(update["blocks"])


def test_set_priority_changes_priority_and_sla(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _posted_card(slack_store, standin)
    before = _get(slack_store, ref)
    select = {
        "action_id": cards.ACTION_PRIORITY,
        "type": "static_select",
        "selected_option": {"value": f"{ref}|urgent", "text": {"type": "plain_text", "text": "urgent"}},
    }
    assert slack.interaction(block_action(select)).status == 200
    wait_for(lambda: standin.called("chat.update"))
    case = _get(slack_store, ref)
    assert case["priority"] == "urgent"
    assert case["sla"]["resolution_due"] != before["sla"]["resolution_due"]
    [changed] = _events(slack_store, ref, "priority_changed")
    assert changed["actor"] == "slack:U100" and changed["data"]["to"] == "urgent"


def _open_modal(slack: SignedSender, standin: SlackStandIn, action_id: str, ref: str) -> dict[str, Any]:
    count = len(standin.called("views.open"))
    assert slack.interaction(block_action({"action_id": action_id, "type": "button", "value": ref})).status == 200
    wait_for(lambda: len(standin.called("views.open")) > count)
    call = standin.called("views.open")[-1]
    assert call["trigger_id"] == "13345.trigger"
    return dict(call["view"])


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def _typed(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def test_escalate_opens_a_modal_and_the_submission_escalates(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn
) -> None:
    ref = _posted_card(slack_store, standin)
    view = _open_modal(slack, standin, cards.ACTION_ESCALATE, ref)
    assert view["callback_id"] == cards.VIEW_ESCALATE
    empty = slack.interaction(
        view_submission(
            cards.VIEW_ESCALATE, view["private_metadata"], {"target": _select("quality"), "reason": _typed("  ")}
        )
    )
    assert empty.status == 200 and empty.json()["response_action"] == "errors"
    assert "reason" in empty.json()["errors"]
    answer = slack.interaction(
        view_submission(
            cards.VIEW_ESCALATE,
            view["private_metadata"],
            {"target": _select("quality"), "reason": _typed("third <!here> this week")},
        )
    )
    assert answer.status == 200
    wait_for(lambda: _card_updated(standin, card_location(slack_store, ref)[1]))  # type: ignore[index]
    [escalated] = _events(slack_store, ref, "escalated")
    assert escalated["actor"] == "slack:U100" and escalated["data"]["to"] == "quality"
    posts = standin.called("chat.postMessage")
    quality = [p for p in posts if p["channel"] == "#quality"]
    assert len(quality) == 1 and "&lt;!here&gt;" in quality[0]["text"] and "<!here>" not in quality[0]["text"]
    assert any(p.get("thread_ts") for p in posts)


def test_add_note_from_the_modal(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _posted_card(slack_store, standin)
    view = _open_modal(slack, standin, cards.ACTION_NOTE, ref)
    answer = slack.interaction(
        view_submission(cards.VIEW_NOTE, view["private_metadata"], {"note": _typed("Called the customer")})
    )
    assert answer.status == 200 and answer.body == ""
    wait_for(lambda: _events(slack_store, ref, "note_added"))
    [note] = _events(slack_store, ref, "note_added")
    assert note["actor"] == "slack:U100" and note["data"]["text"] == "Called the customer"


def test_resolve_with_root_cause_then_reopen(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _posted_card(slack_store, standin)
    view = _open_modal(slack, standin, cards.ACTION_RESOLVE, ref)
    values = {
        "resolution": _select("replacement"),
        "root_cause_category": _select("material"),
        "why_1": _typed("sole glue failed"),
        "why_2": _typed("batch of adhesive was old"),
        "note": _typed("replacement sent"),
    }
    assert slack.interaction(view_submission(cards.VIEW_RESOLVE, view["private_metadata"], values)).status == 200
    wait_for(lambda: _get(slack_store, ref)["status"] == "resolved")
    case = _get(slack_store, ref)
    assert case["resolution"]["type"] == "replacement" and case["root_cause_category"] == "material"
    assert case["root_cause"] == "Why 1: sole glue failed\nWhy 2: batch of adhesive was old"
    [resolved] = _events(slack_store, ref, "resolved")
    assert resolved["actor"] == "slack:U100"
    wait_for(lambda: standin.called("chat.update"))
    assert cards.ACTION_REOPEN in json.dumps(standin.called("chat.update")[-1]["blocks"])

    assert (
        slack.interaction(block_action({"action_id": cards.ACTION_REOPEN, "type": "button", "value": ref})).status
        == 200
    )
    wait_for(lambda: _get(slack_store, ref)["status"] == "reopened")
    reopened = [e for e in _events(slack_store, ref, "status_changed") if e["data"]["to"] == "reopened"]
    assert reopened[0]["actor"] == "slack:U100"
    assert service.verify_case_chain(slack_store, ref)["ok"]


def test_a_refused_change_is_told_to_the_user(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _posted_card(slack_store, standin)
    assert (
        slack.interaction(block_action({"action_id": cards.ACTION_REOPEN, "type": "button", "value": ref})).status
        == 200
    )
    [told] = wait_for(lambda: standin.called("chat.postEphemeral"))  # where they pressed, to them only
    assert told["channel"] == "C100" and told["user"] == "U100" and "did not work" in told["text"]
    assert _get(slack_store, ref)["status"] == "new"


# --- commands and App Home -------------------------------------------------------------------


def test_case_command_shows_the_case(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _open(slack_store)
    assert slack.command("/case", ref.lower()).status == 200
    shown = wait_for(lambda: standin.called("chat.postEphemeral"))
    assert shown[0]["user"] == "U100" and ref in json.dumps(shown[0]["blocks"])
    usage = slack.command("/case", "what")
    assert usage.status == 200 and "Usage" in usage.body
    slack.command("/case", "CS-2020-999999")
    wait_for(lambda: any("No case" in (p.get("text") or "") for p in standin.called("chat.postEphemeral")))


def test_cases_command_lists(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    mine = _open(slack_store)
    other = _open(slack_store, "heel broke")
    service.assign_case(slack_store, mine, "slack:U100", "slack:U100")
    slack.command("/cases", "mine")
    answer = wait_for(lambda: standin.called("chat.postEphemeral"))
    text = json.dumps(answer[0]["blocks"])
    assert mine in text and other not in text
    slack.command("/cases", "open")
    wait_for(lambda: len(standin.called("chat.postEphemeral")) == 2)
    text = json.dumps(standin.called("chat.postEphemeral")[1]["blocks"])
    assert mine in text and other in text
    slack_store.clock.advance(days=40)  # type: ignore[attr-defined]
    for n, which in enumerate(("overdue", "breached"), start=3):
        slack.command("/cases", which)
        wait_for(lambda n=n: len(standin.called("chat.postEphemeral")) == n)  # type: ignore[misc]
        text = json.dumps(standin.called("chat.postEphemeral")[-1]["blocks"])
        assert mine in text and other in text
    assert "Usage" in slack.command("/cases", "all").body


def test_app_home_shows_my_cases_and_breaches(slack: SignedSender, slack_store: Store, standin: SlackStandIn) -> None:
    ref = _open(slack_store)
    service.assign_case(slack_store, ref, "slack:U100", "slack:U100")
    assert slack.event(_home_event()).status == 200
    [published] = wait_for(lambda: standin.called("views.publish"))
    assert published["user_id"] == "U100" and published["view"]["type"] == "home"
    assert ref in json.dumps(published["view"]["blocks"])


# --- retried events --------------------------------------------------------------------------


def test_a_thread_reply_is_noted_once_even_when_slack_retries(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn
) -> None:
    ref = _posted_card(slack_store, standin)
    channel, ts = card_location(slack_store, ref) or ("", "")
    message = {
        "type": "message",
        "channel": channel,
        "user": "U200",
        "text": "Refund approved",
        "ts": "1800000000.1",
        "thread_ts": ts,
        "channel_type": "channel",
    }
    assert slack.event(message, event_id="EvReply1").status == 200
    wait_for(lambda: _events(slack_store, ref, "note_added"))
    assert slack.event(message, event_id="EvReply1", retry=1).status == 200
    assert slack.event(message, event_id="EvReply1").status == 200  # a redelivery without the header
    time.sleep(0.5)
    [note] = _events(slack_store, ref, "note_added")
    assert note["actor"] == "slack:U200" and note["data"]["text"] == "Refund approved"


def test_a_retried_home_event_publishes_once(slack: SignedSender, standin: SlackStandIn) -> None:
    assert slack.event(_home_event(), event_id="EvHome").status == 200
    wait_for(lambda: standin.called("views.publish"))
    assert slack.event(_home_event(), event_id="EvHome", retry=1).status == 200
    assert slack.event(_home_event(), event_id="EvHome", retry=2, reason="http_error").status == 200
    time.sleep(0.5)
    assert len(standin.called("views.publish")) == 1


def test_a_slow_ack_retry_is_dropped_but_a_lost_event_is_processed(slack: SignedSender, standin: SlackStandIn) -> None:
    assert slack.event(_home_event(), event_id="EvSlow", retry=1, reason="http_timeout").status == 200
    time.sleep(0.5)
    assert standin.called("views.publish") == []
    assert slack.event(_home_event(), event_id="EvLost", retry=1, reason="connection_failed").status == 200
    wait_for(lambda: standin.called("views.publish"))


# --- the `complaints slack` command ----------------------------------------------------------


def test_the_cli_serves_the_app_on_a_port(sqlite_store: Store, standin: SlackStandIn) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_store.settings.database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "slack", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        sender = SignedSender(f"http://127.0.0.1:{port}/slack/events", SECRET)

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_for(up, timeout=60)
        assert sender.event(_home_event()).status == 200
        assert sender.event(_home_event(), event_id="Ev2").status == 200
        wait_for(lambda: len(standin.called("views.publish")) == 2)
        body = json.dumps({"type": "event_callback", "event": _home_event()})
        assert sender.post(body, "application/json", sender.sign(body, secret="wrong")).status == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_cli_refuses_to_start_without_tokens(sqlite_store: Store) -> None:
    from bot.cli import main

    assert main(["slack"], store=sqlite_store) == 1


# --- the same posting rules on SQLite and PostgreSQL ------------------------------------------


def test_cards_and_alerts_are_posted_once_on_every_database(store: Store, standin: SlackStandIn) -> None:
    store.settings = store.settings.with_overrides(
        slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=standin.url
    )
    refs = [_open(store, f"sole came off {n}") for n in range(3)]
    for _ in range(2):
        run_pass(store, _Noop())
    assert sorted(p["blocks"][0]["text"]["text"] for p in standin.called("chat.postMessage") if p.get("blocks")) == [
        f"Case {r}" for r in refs
    ]
    store.clock.advance(days=30)  # type: ignore[attr-defined]
    first = run_pass(store, _Noop())
    second = run_pass(store, _Noop())
    assert first.slack["sla_alerts"] and second.slack["sla_alerts"] == []
    assert second.slack["errors"] == [] and second.slack["cards"] == []
    for ref in refs:
        assert len(_events(store, ref, "slack_card_posted")) == 1
        assert service.verify_case_chain(store, ref)["ok"]


def test_buttons_and_commands_are_acked_while_the_database_is_busy(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn
) -> None:
    ref = _posted_card(slack_store, standin)
    blocker = slack_store.engine.raw_connection()  # holds SQLite's write lock: every transaction must wait
    try:
        cursor = blocker.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        pressed = slack.interaction(block_action({"action_id": cards.ACTION_ASSIGN, "type": "button", "value": ref}))
        listed = slack.command("/cases", "open")
        assert pressed.status == 200 and listed.status == 200  # answered before any database work
        assert standin.called("chat.update") == [] and standin.called("chat.postEphemeral") == []
    finally:
        blocker.rollback()
        blocker.close()
    wait_for(lambda: _get(slack_store, ref)["assignee"] == "slack:U100")
    wait_for(lambda: standin.called("chat.postEphemeral"))


# --- cards for requests that are not faults (issue #18) ------------------------------------------------------


def test_callback_and_cancellation_cards_say_what_staff_must_do(slack_store: Store, standin: SlackStandIn) -> None:
    complaint = _open(slack_store)
    callback = _open(
        slack_store,
        "can someone call me back please? my number is 07700 900123",
        kind="callback",
        conversation_id="D1:2.0",
        defect_category="other",
        component=None,
        customer_phone="07700 900123",
        callback_at="after 5pm on weekdays",
    )
    cancellation = _open(
        slack_store,
        "I want to cancel my order please",
        kind="cancellation",
        conversation_id="D1:3.0",
        defect_category="other",
        component=None,
        order_number="WEB-77881",
    )
    assert post_new_cases(slack_store, standin_client(slack_store), TRIAGE) == [complaint, callback, cancellation]
    posts = {ref: p for p in standin.called("chat.postMessage") for ref in (complaint, callback, cancellation)
             if ref in json.dumps(p["blocks"])}  # fmt: skip
    assert posts[complaint]["text"].startswith(f"New case {complaint} (")
    assert "*complaint*" in json.dumps(posts[complaint]["blocks"]) and "To do" not in json.dumps(posts[complaint])

    call_card = json.dumps(posts[callback])
    assert posts[callback]["text"].startswith(f"New call-back request {callback}")
    assert "call-back request" in call_card and "ring the customer back *after 5pm on weekdays*" in call_card
    assert "phone number is on the case page" in call_card
    # the number itself is never on the card, not even in the customer's own words quoted on it
    assert "900123" not in call_card and "07700" not in call_card

    cancel_card = json.dumps(posts[cancellation])
    assert posts[cancellation]["text"].startswith(f"New order cancellation request {cancellation}")
    assert "*To do:* cancel order *WEB-77881* if it has not been dispatched" in cancel_card
    assert "*Request*\\norder cancellation request" in cancel_card
    assert service.verify_case_chain(slack_store, callback)["ok"]
