"""The whole conversation kept with its case, and stored lines given their stage (real SQLite, Rasa's SQL store).

Rasa's own ``SQLTrackerStore`` writes the conversations into the tracker database the settings name (beside the
case database), exactly as the running assistant does; the sync and the backfill read it from there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from typing import Any, Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

import actions.common
import actions.confirm
from bot.cases import service
from bot.cases.models import TranscriptLine
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store, open_store
from bot.cases.transcript_sync import TranscriptSync, sync_transcripts
from bot.cli import main
from bot.clock import FrozenClock
from bot.conversation import dialogue, wording
from bot.reports.process import annotate
from bot.transcripts.backfill import backfill

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
CONVERSATION = "web-7f3a"


def at(minutes: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=30) + dt.timedelta(minutes=minutes)


def user(text: str, minutes: float) -> UserUttered:
    return UserUttered(text, {"name": "inform", "confidence": 1.0}, timestamp=at(minutes).timestamp())


def said(message_id: str, minutes: float, **values: Any) -> BotUttered:
    """A bot event as the actions make it: the stage and wording id in its metadata."""
    message = wording.message(message_id)
    metadata = {"stage": message.stage, "message_id": message_id}
    return BotUttered(message.render(**values), metadata=metadata, timestamp=at(minutes).timestamp())


def staff(text: str, minutes: float) -> BotUttered:
    """A line staff wrote during a takeover (integrations/slack/takeover.py: staff_says)."""
    return BotUttered(text, metadata={"staff": "slack:U0STAFF"}, timestamp=at(minutes).timestamp())


def keep_in_rasa(store: Store, events: list[Event], conversation: str = CONVERSATION) -> None:
    """Save the conversation with Rasa's SQL tracker store into the tracker database the settings name."""
    path = store.settings.tracker_store_url.removeprefix("sqlite:///")
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=path)
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(conversation, events)))
    tracker_store.engine.dispose()


REFERENCE_VALUES = {"next_steps": "A label is on its way.", "promise": "", "due": "Friday"}


def conversation(reference: str) -> list[Event]:
    return [
        user("the heel came off my boots", 0),
        said("listen.apology", 0.1),
        said("ask.order_number", 0.2),
        user("O-1", 1),
        said("read_back.intro", 1.1),
        user("yes", 2),
        said("resolve.question", 2.1, explanation="You can have a repair or a replacement."),
        user("replacement", 3),
        said("confirm.question", 3.1, label="replacement", reason="It is within six months."),
        user("yes", 4),
        said("confirm.case_logged", 4.1, reference=reference, **REFERENCE_VALUES),
        said("confirm.anything_else", 4.1),
    ]


def snapshot(events: list[Event]) -> list[TranscriptTurn]:
    """The snapshot the logging action hands over: the conversation up to the customer's last message."""
    turns = []
    for event in events:
        when = dt.datetime.fromtimestamp(event.timestamp, tz=dt.timezone.utc)
        if isinstance(event, UserUttered):
            turns.append(TranscriptTurn("customer", str(event.text), when))
        elif isinstance(event, BotUttered):
            meta = event.metadata
            turns.append(TranscriptTurn("bot", str(event.text), when, None, None, meta["stage"], meta["message_id"]))
    return turns


@pytest.fixture
def logged(sqlite_store: Store) -> Iterator[tuple[Store, str, list[Event]]]:
    """A case logged from a conversation that Rasa keeps; its snapshot stops at the customer's yes."""
    store = dataclasses.replace(sqlite_store, clock=FrozenClock(NOW))
    draft = CaseDraft(description="heel came off", defect_category="heel_detachment", conversation_id=CONVERSATION)
    opened = service.open_case(store, draft)
    events = conversation(opened.reference)
    with store.unit_of_work() as uow:
        case = uow.cases.get(opened.reference)
        assert case is not None
        uow.cases.append_transcript(case, (_line(t) for t in snapshot(events[:10])))
        uow.commit()
    keep_in_rasa(store, events)
    yield store, opened.reference, events


def _line(turn: TranscriptTurn) -> TranscriptLine:
    from bot.cases.opening import transcript_line

    return transcript_line(turn)


def stored(store: Store, reference: str) -> list[TranscriptLine]:
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        return uow.cases.transcript(case)


def test_sync_appends_the_rest_of_the_conversation_once(logged: tuple[Store, str, list[Event]]) -> None:
    store, reference, events = logged
    first = sync_transcripts(store, since=NOW - dt.timedelta(days=1))
    assert (first.conversations, first.cases, first.lines_added) == (1, 1, 2)
    lines = stored(store, reference)
    assert [(line.stage, line.message_id) for line in lines[-2:]] == [
        ("confirm", "confirm.case_logged"),
        ("confirm", "confirm.anything_else"),
    ]
    assert reference in lines[-2].text
    # later: the customer writes again and staff take the conversation over
    keep_in_rasa(store, [*events, user("has it shipped?", 20), staff("Hello, Sam here: it went out today.", 21)])
    second = sync_transcripts(store, since=NOW - dt.timedelta(days=1))
    again = sync_transcripts(store, since=NOW - dt.timedelta(days=1))
    assert (second.lines_added, again.lines_added) == (2, 0)
    lines = stored(store, reference)
    assert [(line.speaker, line.actor, line.stage) for line in lines[-2:]] == [
        ("customer", None, None),
        ("staff", "slack:U0STAFF", None),
    ]
    assert [line.seq for line in lines] == list(range(1, len(lines) + 1))
    result = annotate(lines, reference)
    assert result["followed"], result["problems"]


def test_the_worker_pass_reads_only_conversations_with_new_lines(logged: tuple[Store, str, list[Event]]) -> None:
    store, reference, events = logged
    sync = TranscriptSync(store, dt.timedelta(days=1))
    assert sync.run().lines_added == 2
    assert sync.run().lines_added == 0  # the first two passes look back over the window
    idle = sync.run()  # then only events stored after the newest one seen two passes ago
    assert (idle.conversations, idle.cases, idle.lines_added) == (0, 0, 0)
    keep_in_rasa(store, [*events, user("thanks", 30)])
    assert sync.run().lines_added == 1
    overlap = sync.run()  # the newest events are read once more, in case one was committed late
    assert (overlap.conversations, overlap.lines_added) == (1, 0)
    assert sync.run().conversations == 0
    assert stored(store, reference)[-1].text == "thanks"


def test_an_erased_case_gets_nothing_back(logged: tuple[Store, str, list[Event]]) -> None:
    store, reference, _ = logged
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        case.conversation_id, case.anonymised_at = None, NOW  # what erasure does to the case
        uow.commit()
    before = len(stored(store, reference))
    assert sync_transcripts(store, since=NOW - dt.timedelta(days=1)).lines_added == 0
    assert len(stored(store, reference)) == before


def test_the_cli_syncs_and_says_what_it_did(logged: tuple[Store, str, list[Event]], capsys: Any) -> None:
    store, reference, _ = logged
    assert main(["transcripts", "sync", "--since", "2d", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)["lines_added"] == 2
    assert main(["transcripts", "sync", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)["lines_added"] == 0
    assert main(["cases", "show", reference, "--json"], store=store) == 0
    case = json.loads(capsys.readouterr().out)
    assert all(t["stage"] for t in case["transcript"] if t["speaker"] == "bot"), case["transcript"]


# --- backfill: lines stored before they carried a stage ----------------------------------------------------


def test_backfill_places_old_lines_from_the_tracker_then_the_wording(
    logged: tuple[Store, str, list[Event]], capsys: Any
) -> None:
    store, reference, events = logged
    sync_transcripts(store, since=NOW - dt.timedelta(days=1))
    with store.unit_of_work() as uow:  # as stored before this change: no stage, no wording id
        uow.session.execute(update(TranscriptLine).values(stage=None, message_id=None))
        case = uow.cases.get(reference)
        assert case is not None
        old = [
            TranscriptTurn("bot", wording.say("listen.heard"), NOW),  # not in Rasa's store: read from the words
            TranscriptTurn("bot", "Hello, Sam here: it went out today.", at(21)),  # staff, shown as the bot then
            TranscriptTurn("bot", "Sorry, our old wording nobody keeps any more.", NOW),
        ]
        uow.cases.append_transcript(case, (_line(t) for t in old))
        uow.commit()
    keep_in_rasa(store, [*events, staff("Hello, Sam here: it went out today.", 21)])
    assert not annotate(stored(store, reference), reference)["followed"]
    assert main(["transcripts", "backfill", "--json"], store=store) == 0
    report = json.loads(capsys.readouterr().out)
    bot_lines = len(events) - 5 + 3
    assert report == {
        "lines": bot_lines,
        "from_tracker": len(events) - 5,
        "from_wording": 1,
        "staff": 1,
        "unplaced": 1,
        "cases": 1,
    }
    lines = stored(store, reference)
    assert [(line.speaker, line.actor) for line in lines if "Sam here" in line.text] == [("staff", "slack:U0STAFF")]
    assert [line.message_id for line in lines if line.speaker == "bot"][-3:] == [
        "confirm.anything_else",
        "listen.heard",
        None,
    ]
    assert annotate(lines, reference)["followed"]
    again = backfill(store)
    assert (again.lines, again.from_tracker + again.from_wording + again.staff, again.unplaced) == (1, 0, 1)
    after = stored(store, reference)
    assert [(x.speaker, x.stage, x.message_id) for x in after] == [(x.speaker, x.stage, x.message_id) for x in lines]


def test_the_case_json_fills_rasas_stage_less_lines_from_the_backfilled_copy(sqlite_store: Store) -> None:
    store = dataclasses.replace(sqlite_store, clock=FrozenClock(NOW))
    text = wording.say("read_back.intro")
    keep_in_rasa(store, [user("hi", 0), BotUttered(text, timestamp=at(0.1).timestamp())], "old-conversation")
    draft = CaseDraft(description="old", conversation_id="old-conversation", transcript=[])
    reference = service.open_case(store, draft).reference
    assert [t["stage"] for t in service.get_case(store, reference)["transcript"]] == [None, None]
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        uow.cases.append_transcript(case, [_line(TranscriptTurn("bot", text, at(0.1)))])
        uow.commit()
    backfill(store)
    case_json = service.get_case(store, reference)
    assert case_json["transcript_source"] == "tracker_store"
    assert [(t["stage"], t["message_id"]) for t in case_json["transcript"]] == [
        (None, None),
        ("understand", "read_back.intro"),
    ]


# --- the logging action puts the confirmation in the stored evidence --------------------------------------


def test_the_logging_action_stores_its_confirmation_with_the_case(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tracker store is read: the snapshot itself ends with the reference, each bot line with its stage."""
    from bot.cases import migrate
    from bot.catalogue.seed import seed_demo
    from bot.settings import load_settings

    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}", "TRACKER_STORE": "memory"})
    store = open_store(settings, clock=FrozenClock(NOW))
    migrate.upgrade(store.engine)
    seed_demo(store, today=NOW.date(), with_cases=False)
    for module in (actions.common, actions.confirm):
        monkeypatch.setattr(module, "store", lambda: store)
    events = [e.as_dict() for e in conversation("CS-not-yet")[:10]]
    slots = {
        "complaint_id": "c-1",
        "description": "the heel came off my boots",
        "defect_category": "heel_detachment",
        "customer_email": "ann@example.com",
        "customer_name": "Ann Example",
        "order_number": dialogue.NO_ORDER,
        "purchase_date": (NOW.date() - dt.timedelta(days=20)).isoformat(),
        "injury_reported": "no",
        "resolution_choice": "replacement",
    }
    tracker = Tracker("conv-9", slots, events[-1], events, False, None, {}, "action_listen")

    async def log_case() -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        await actions.confirm.ActionLogCase().run(dispatcher, tracker, {})
        await asyncio.sleep(0.5)  # the confirmation is stored in the background
        return dispatcher.messages

    try:
        messages = asyncio.run(log_case())
        assert [m.get("message_id") for m in messages] == ["confirm.case_logged", "confirm.anything_else"]
        with store.unit_of_work() as uow:
            [case] = uow.cases.for_conversation("conv-9")
            reference = case.reference
        case_json = service.get_case(store, reference)
        assert case_json["transcript_source"] == "case_snapshot"
        transcript = case_json["transcript"]
        assert transcript[-2]["message_id"] == "confirm.case_logged" and reference in transcript[-2]["text"]
        assert all(t["stage"] for t in transcript if t["speaker"] == "bot")
        assert annotate(transcript, reference)["followed"]
        asyncio.run(log_case())  # the customer says yes again: the same case, its confirmation not stored twice
        assert len(service.get_case(store, reference)["transcript"]) == len(transcript)
    finally:
        store.dispose()
