"""Every bot message carries its Listen / Understand / Resolve / Confirm stage from the response that said it.

The stage is set where the wording lives (data/wording/messages.yml, the ``utter_*`` responses of domain.yml),
travels as the metadata of Rasa's bot event, and the process checks read it back: never the words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import yaml
from rasa.core.actions.action import ActionBotResponse, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from bot.cases.conversations import EVENTS, _lines
from bot.cases.drafts import TranscriptTurn
from bot.cases.transcript_sync import MATCH_WINDOW, new_lines
from bot.conversation import wording
from bot.conversation.replies import Reply, reply
from bot.reports.process import HANDED_OVER, annotate

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def bot_events(replies: list[Reply]) -> list[BotUttered]:
    """What Rasa makes of the replies an action sends (``RemoteAction`` turning its response into events)."""
    dispatcher = CollectingDispatcher()
    say(dispatcher, replies)
    return asyncio.run(RemoteAction._utter_responses(dispatcher.messages, CollectingOutputChannel(), None, None))


def stored_lines(events: list[BotUttered]) -> list[dict[str, Any]]:
    """The transcript lines the case JSON shows for these events, read as Rasa's SQL tracker store keeps them."""
    rows = [("bot", e.timestamp, None, json.dumps(e.as_dict())) for e in events]
    return _lines(rows)


# --- the stage travels with the message --------------------------------------------------------------


def test_the_stage_comes_from_the_message_id_into_rasas_bot_event() -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    events = bot_events([reply("read_back.question", buttons), reply("confirm.anything_else")])
    assert [(e.metadata.get("stage"), e.metadata.get("message_id")) for e in events] == [
        ("understand", "read_back.question"),
        ("confirm", "confirm.anything_else"),
    ]
    assert events[0].data["buttons"] == buttons
    lines = stored_lines(events)
    assert [(line["stage"], line["message_id"]) for line in lines] == [
        ("understand", "read_back.question"),
        ("confirm", "confirm.anything_else"),
    ]


def test_the_output_channels_send_the_text_and_not_the_stage() -> None:
    """Rasa hands the event's metadata to the channel as keyword arguments; none of them sends it on."""
    [event] = bot_events([reply("confirm.anything_else")])
    rest = CollectingOutputChannel()
    asyncio.run(rest.send_response("c-1", event.message()))
    assert rest.messages == [{"recipient_id": "c-1", "text": wording.say("confirm.anything_else")}]

    class Socket:
        def __init__(self) -> None:
            self.sent: list[Any] = []

        async def emit(self, *args: Any, **kwargs: Any) -> None:
            self.sent.append((args, kwargs))

    sio = Socket()
    asyncio.run(SocketIOOutput(sio, "bot_uttered").send_response("room", event.message()))  # type: ignore[arg-type]
    assert "stage" not in json.dumps(sio.sent) and "message_id" not in json.dumps(sio.sent)

    class Client:
        def __init__(self) -> None:
            self.posted: list[dict[str, Any]] = []

        async def chat_postMessage(self, **kwargs: Any) -> None:  # noqa: N802 - Slack's name
            self.posted.append(kwargs)

    slack = SlackBot("xoxb-test")
    slack.client = Client()  # type: ignore[assignment]
    asyncio.run(slack.send_response("D1", event.message()))
    assert slack.client.posted and all(set(p) <= {"channel", "as_user", "text", "type"} for p in slack.client.posted)


def test_rasas_own_responses_carry_their_stage_from_domain_yml() -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("c-1", [])
    for name, message in wording.fixed_replies().items():
        [event] = asyncio.run(ActionBotResponse(name).run(CollectingOutputChannel(), nlg, tracker, domain))
        [line] = stored_lines([event])
        assert (line["stage"], line["message_id"]) == (message.stage, name)
    assert len(wording.fixed_replies()) == len(domain.responses) == 7


# --- rewording keeps the stage -------------------------------------------------------------------------


@pytest.fixture
def reworded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The catalogue with the read-back, the offer and the confirmation reworded by a supervisor."""
    data = yaml.safe_load(wording.WORDING_FILE.read_text(encoding="utf-8"))
    changed = {
        "read_back.intro": "Let me check I've got this right:",
        "resolve.question": "{explanation}\nWhat would suit you best?",
        "confirm.case_logged": (
            "All done: case {reference} is open.\n{next_steps}\n{promise} Target date: {due}. We'll check back."
        ),
    }
    for message_id, text in changed.items():
        data["messages"][message_id]["text"] = text
    path = tmp_path / "messages.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(wording, "WORDING_FILE", path)
    wording.catalogue.cache_clear()
    yield changed
    wording.catalogue.cache_clear()


def test_a_reworded_message_keeps_its_stage(reworded: dict[str, str]) -> None:
    values = {"reference": "CS-2026-000009", "next_steps": "A label is on its way.", "promise": "", "due": "Friday"}
    logged = reply("confirm.case_logged", **values)
    assert logged.text.startswith("All done: case CS-2026-000009 is open.")
    assert (logged.stage, logged.message_id) == ("confirm", "confirm.case_logged")
    assert wording.identify(logged.text) == wording.message("confirm.case_logged")
    flow = [
        TranscriptTurn("customer", "the heel came off my boots"),
        reply("listen.apology"),
        reply("ask.order_number"),
        TranscriptTurn("customer", "O-1"),
        Reply(wording.say("read_back.intro") + "\n- Order: O-1", [], "understand", "read_back.intro"),
        TranscriptTurn("customer", "yes"),
        reply("resolve.question", explanation="You can have a repair or a replacement."),
        TranscriptTurn("customer", "replacement"),
        reply("confirm.question", label="replacement", reason="It is within six months."),
        TranscriptTurn("customer", "yes"),
        logged,
    ]
    events = bot_events([turn for turn in flow if isinstance(turn, Reply)])
    said = iter(stored_lines(events))
    lines = [next(said) if isinstance(t, Reply) else {"speaker": "customer", "text": t.text} for t in flow]
    result = annotate(lines, "CS-2026-000009")
    assert result["followed"], result["problems"]
    assert result["stages"] == ["Listen", "Understand", "Resolve", "Confirm"]
    assert not any("Here's what I have" in str(line["text"]) for line in lines)  # no old words to go by


# --- which message said a text --------------------------------------------------------------------------


def test_identify_finds_the_message_with_placeholders_as_wildcards() -> None:
    logged = wording.say(
        "confirm.case_logged", reference="CS-2026-000001", next_steps="We'll email a label.", promise="", due="soon"
    )
    assert wording.identify(logged).id == "confirm.case_logged"  # type: ignore[union-attr]
    assert wording.identify("  " + wording.say("listen.apology") + "\n").id == "listen.apology"  # type: ignore[union-attr]
    assert wording.identify(wording.say("ask.order_number")).id == "ask.order_number"  # type: ignore[union-attr]


def test_identify_reads_a_composed_reply_by_its_leading_message() -> None:
    read_back = wording.say("read_back.intro") + "\n" + wording.say("read_back.order", order="KX/5521/A")
    assert wording.identify(read_back).id == "read_back.intro"  # type: ignore[union-attr]
    heard = wording.say("listen.heard_about_product", problem="the sole coming away", product="Kestrel Hiker")
    heard += " " + wording.say("listen.apology") + " " + wording.say("listen.ownership")
    assert wording.identify(heard).id == "listen.heard_about_product"  # type: ignore[union-attr]


def test_identify_prefers_the_whole_message_and_knows_rasas_fixed_replies() -> None:
    goodbye = wording.fixed_replies()["utter_goodbye"].text
    assert goodbye.startswith(wording.say("listen.heard"))  # a longer text that starts with another message
    found = wording.identify(goodbye)
    assert found is not None and (found.id, found.stage) == ("utter_goodbye", "confirm")


@pytest.mark.parametrize("text", ["", "hello there", "Kestrel Hiker (UK 7)", "10:30 on 3 March", "Thanks!"])
def test_identify_places_nothing_it_cannot_tell_apart(text: str) -> None:
    assert wording.identify(text) is None


def test_every_fixed_reply_names_itself_and_a_stage() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for name, variations in responses.items():
        for variation in variations:
            assert variation["metadata"]["message_id"] == name
            assert variation["metadata"]["stage"] in wording.STAGES
    with pytest.raises(wording.WordingError):
        wording.parse_fixed_replies({"responses": {"utter_x": [{"text": "Hi"}]}})


# --- the process checks --------------------------------------------------------------------------------


def bot(message_id: str, text: Optional[str] = None) -> dict[str, Any]:
    """A stored bot line: its words and the stage of its message."""
    return {
        "speaker": "bot",
        "text": text or message_id,
        "stage": wording.message(message_id).stage,
        "message_id": message_id,
    }


def customer(text: str) -> dict[str, Any]:
    return {"speaker": "customer", "text": text}


def flow(reference: str = "CS-2026-000001") -> list[dict[str, Any]]:
    return [
        customer("the stitching split"),
        bot("listen.apology"),
        bot("ask.order_number"),
        customer("O-1"),
        bot("read_back.intro"),
        customer("yes"),
        bot("resolve.question"),
        customer("repair"),
        bot("confirm.question"),
        customer("yes"),
        bot("confirm.case_logged", f"Your reference is {reference}"),
        bot("confirm.anything_else"),
    ]


def test_a_complete_flow_is_followed() -> None:
    result = annotate(flow(), "CS-2026-000001")
    assert result["followed"] and result["problems"] == [] and result["read_back"]
    assert set(result) == {"turns", "stages", "missing", "read_back", "problems", "followed"}
    assert result["turns"][4]["message_id"] == "read_back.intro" and result["turns"][4]["stage"] == "Understand"


@pytest.mark.parametrize("dropped,problem", [("listen.apology", "skipped Listen"), ("confirm.question", None)])
def test_a_missing_stage_is_flagged(dropped: str, problem: Optional[str]) -> None:
    lines = [line for line in flow() if line.get("message_id") != dropped]
    result = annotate(lines, "CS-2026-000001")
    if problem is None:  # the confirmation with the reference is still Confirm: nothing skipped
        assert result["followed"], result["problems"]
    else:
        assert problem in result["problems"] and not result["followed"]


def test_every_skip_kind_is_named() -> None:
    lines = flow()
    no_confirm = [line for line in lines[:10] if line.get("stage") != "confirm"]
    assert annotate(no_confirm)["missing"] == ["Confirm"]
    no_read_back = [line for line in lines if line.get("message_id") != "read_back.intro"]
    assert "no read-back of the facts" in annotate(no_read_back, "CS-2026-000001")["problems"]
    late_read_back = lines[:4] + lines[6:8] + lines[4:6] + lines[8:]
    assert "no read-back of the facts before the offer" in annotate(late_read_back, "CS-2026-000001")["problems"]
    offer_first = lines[:1] + [bot("listen.apology"), bot("resolve.question")] + lines[2:]
    problems = annotate(offer_first, "CS-2026-000001")["problems"]
    assert "options offered before the facts were understood" in problems


def test_a_hand_off_before_the_read_back_is_flagged_and_after_it_is_not() -> None:
    lines = flow()
    early = lines[:4] + [customer("a person please"), bot("handoff.with_case", "I've passed your case CS-2026-000002")]
    result = annotate(early, "CS-2026-000002")
    assert HANDED_OVER in result["problems"] and not result["followed"]
    late = lines[:6] + [customer("a person please"), bot("handoff.with_case", "I've passed your case CS-2026-000003")]
    assert annotate(late, "CS-2026-000003")["followed"]


def test_what_follows_the_logged_case_does_not_break_a_complete_flow() -> None:
    later = [
        customer("thanks, bye"),
        {
            "speaker": "bot",
            "text": "Thank you for getting in touch.",
            "stage": "confirm",
            "message_id": "utter_goodbye",
        },
        bot("followup.hello", "Hello again about CS-2026-000001"),
        customer("no"),
        bot("followup.ask_score"),
        {"speaker": "staff", "text": "I'm sorry, I'll call you today", "actor": "slack:U1"},
        customer("the heel is off too now"),
        bot("resolve.question"),  # a new offer, after the case: not judged with it
    ]
    result = annotate(flow() + later, "CS-2026-000001")
    assert result["followed"], result["problems"]
    assert [t["in_flow"] for t in result["turns"]].count(True) == 11
    assert result["turns"][-3]["speaker"] == "staff" and result["turns"][-3]["actor"] == "slack:U1"


def test_each_case_of_a_conversation_is_judged_on_its_own_flow() -> None:
    second = [customer("my belt broke too"), bot("listen.apology"), bot("resolve.question")]
    second += [customer("refund"), bot("confirm.case_logged", "Your reference is CS-2026-000002")]
    both = flow("CS-2026-000001") + second
    assert annotate(both, "CS-2026-000001")["followed"]
    second_case = annotate(both, "CS-2026-000002")
    assert not second_case["followed"] and "no read-back of the facts" in second_case["problems"]


def test_a_case_kept_while_the_database_was_down_ends_with_the_promise() -> None:
    lines = flow()[:10] + [bot("store.deferred_case"), customer("ok"), bot("confirm.anything_else")]
    lines += [bot("confirm.case_logged_late", "Good news: your reference is CS-2026-000004")]
    result = annotate(lines, "CS-2026-000004")
    assert result["followed"], result["problems"]
    assert [t["in_flow"] for t in result["turns"]] == [True] * 11 + [False] * 3


# --- the conversation kept to its end, once --------------------------------------------------------------


def turn(speaker: str, text: str, seconds: float, **extra: Any) -> TranscriptTurn:
    return TranscriptTurn(speaker, text, T0 + dt.timedelta(seconds=seconds), **extra)


def test_new_lines_are_what_follows_the_stored_ones_each_once() -> None:
    stored = [
        turn("customer", "yes", 0),
        turn("bot", "Your reference is CS-1", 0.5),
        turn("bot", "Anything else?", 0.5),
    ]
    heard = [
        turn("customer", "older line cut from the snapshot", -600),
        turn("customer", "yes", 0),
        turn("bot", "Your reference is CS-1", 0.9),  # stamped by Rasa a moment after the action stored it
        turn("bot", "Anything else?", 0.9),
        turn("customer", "no thanks", 30),
        turn("bot", "Anything else?", 31),  # said again: a second utterance, kept
        turn("staff", "Hello, Sam here", 90, actor="slack:U1"),
    ]
    fresh = new_lines(stored, heard)
    assert [(t.speaker, t.text) for t in fresh] == [
        ("customer", "no thanks"),
        ("bot", "Anything else?"),
        ("staff", "Hello, Sam here"),
    ]
    assert new_lines(stored + fresh, heard) == []
    far = [turn("bot", "Your reference is CS-1", 0.5 + MATCH_WINDOW.total_seconds() + 1)]
    assert [t.text for t in new_lines(stored, far)] == ["Your reference is CS-1"]


def test_the_tracker_table_is_rasas() -> None:
    assert {c.name for c in EVENTS.columns} >= {"sender_id", "type_name", "timestamp", "data"}


def test_the_ids_the_checks_look_for_are_in_the_catalogue() -> None:
    from bot.reports import process

    ids = process.READ_BACK_IDS | process.HANDOFF_IDS | process.CLOSING_IDS | {process.LATE_ID}
    assert not [message_id for message_id in sorted(ids) if not wording.has(message_id)]
