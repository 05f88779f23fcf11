"""The actions with the case database locked by another process: a plain answer in time, nothing lost.

These run the real action classes (rasa-sdk) against a real SQLite file that another process holds
locked; the conversation-level version of the same faults runs through Rasa in
``test_conversation_faults.py``.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.common
import actions.confirm
import actions.intake
from bot.cases import availability, deferred, migrate
from bot.cases.availability import lookups_missed
from bot.cases.outbox import Outbox
from bot.cases.store import Store, open_store
from bot.catalogue.seed import seed_demo
from bot.clock import FrozenClock
from bot.conversation import dialogue, wording
from bot.conversation.understanding import warm_up
from bot.db import StoreUnavailable
from bot.settings import load_settings
from tests.support.faults import locked_sqlite

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "cases.db"


@pytest.fixture
def serving(db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The action server's store (gives up on a lock after DB_ANSWER_TIMEOUT_MS), on a seeded database."""
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{db_file}", "OUTBOX_DIR": str(tmp_path / "outbox"), "DB_ANSWER_TIMEOUT_MS": "500"}
    )
    batch = open_store(settings, clock=FrozenClock(NOW))
    migrate.upgrade(batch.engine)
    seed_demo(batch, today=NOW.date(), with_cases=False)
    batch.dispose()
    store = open_store(settings, clock=FrozenClock(NOW), interactive=True)
    warm_up(store)  # as the action server does before it serves
    for module in (actions.common, actions.confirm, actions.intake):
        monkeypatch.setattr(module, "store", lambda: store)
    yield store
    store.dispose()


def tracker(slots: dict[str, Any], text: str, sender: str = "conv-1") -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message={"text": text, "intent": {"name": "inform"}, "entities": []},
        events=[{"event": "user", "text": text, "timestamp": NOW.timestamp()}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Any, slots: dict[str, Any], text: str) -> tuple[list[str], list[dict[str, Any]], float]:
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    events = asyncio.run(action.run(dispatcher, tracker(slots, text), {}))
    took = time.monotonic() - started
    return [str(m.get("text")) for m in dispatcher.messages], events, took


def confirmed_slots() -> dict[str, Any]:
    return {
        "complaint_id": "c-1",
        "description": "the stitching on my boots split after a week",
        "defect_category": "stitching",
        "component": "stitching",
        "customer_email": "ann@example.com",
        "customer_name": "Ann Example",
        "order_number": dialogue.NO_ORDER,
        "purchase_date": (NOW.date() - dt.timedelta(days=10)).isoformat(),
        "injury_reported": "no",
        "summary_confirmed": True,
        "resolution_choice": "refund",
        "resolution_accepted": True,
    }


def test_the_final_yes_while_locked_is_kept_in_the_outbox_and_answered_in_time(
    serving: Store, db_file: Path
) -> None:
    with locked_sqlite(db_file):
        said, events, took = run(actions.confirm.ActionLogCase(), confirmed_slots(), "yes")
    assert took < 3.0
    assert said[0] == wording.say("store.deferred_case")
    assert {"event": "slot", "name": "case_reference", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    [entry] = Outbox(serving.settings.outbox_dir).pending()
    assert entry.key == "conv-1:c-1"
    assert entry.payload["draft"]["defect_category"] == "stitching"
    assert entry.payload["draft"]["resolution_type"] == "refund"
    # Saying yes again (a retried action) queues nothing more.
    with locked_sqlite(db_file):
        run(actions.confirm.ActionLogCase(), confirmed_slots(), "yes")
    assert len(Outbox(serving.settings.outbox_dir).pending()) == 1


def test_the_story_while_locked_is_understood_and_kept(serving: Store, db_file: Path) -> None:
    story = "the sole is peeling away from my shoes after two weeks"
    with locked_sqlite(db_file):
        said, events, took = run(actions.intake.ActionAcknowledgeComplaint(), {}, story)
    assert took < 3.0
    assert said and "sorry" in said[0].lower()
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert "description" in slots, (said, events)
    assert slots["description"] == story
    assert slots["defect_category"] == "sole_separation"


def test_an_order_number_while_locked_is_noted_as_given(serving: Store, db_file: Path) -> None:
    with serving.unit_of_work() as uow:
        number = uow.catalogue.order_numbers()[0]
    slots = {"complaint_id": "c-2", "description": "sole peeling", "defect_category": "sole_separation"}
    assert dialogue.next_slot(slots) == "order_number"
    with locked_sqlite(db_file):
        context = contextvars.copy_context()
        turn = context.run(dialogue.handle_answer, serving, slots, "order_number", number, "inform", [])
        assert context.run(lookups_missed) is True
    assert turn is not None
    assert turn.slots["order_number"] == number
    assert "noted order" in " ".join(r.text for r in turn.replies)


def test_a_status_question_while_locked_gets_a_plain_answer(serving: Store, db_file: Path) -> None:
    with locked_sqlite(db_file):
        said, _, took = run(actions.confirm.ActionCaseStatus(), {"customer_email": "a@example.com"}, "CS-2026-000001?")
    assert took < 3.0
    assert said == [wording.say("store.status_unavailable", reference="CS-2026-000001")]


def test_with_store_gives_up_at_the_deadline(serving: Store) -> None:
    async def slow() -> float:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await actions.common.with_store(lambda: time.sleep(4))
        return time.monotonic() - started

    assert asyncio.run(slow()) < 3.0


def test_a_deferred_case_replays_into_the_case_the_customer_confirmed(serving: Store, db_file: Path) -> None:
    with locked_sqlite(db_file):
        run(actions.confirm.ActionLogCase(), confirmed_slots(), "yes")
    batch = open_store(serving.settings, clock=FrozenClock(NOW))
    try:
        report = deferred.replay(batch)
        assert report.written == 1
        with batch.unit_of_work() as uow:
            case = uow.cases.get_by_idempotency_key("conv-1:c-1")
            assert case is not None
            assert (case.defect_category, case.resolution_type) == ("stitching", "refund")
            assert case.conversation_id == "conv-1"
    finally:
        batch.dispose()


def test_after_an_outage_the_next_write_in_the_same_turn_does_not_wait_again(serving: Store, db_file: Path) -> None:
    """The breaker: validation found the database locked, so logging the case defers at once."""
    with locked_sqlite(db_file):
        availability.tolerant(lambda: service_order_numbers(serving), [])
        assert availability.known_unavailable()
        said, _, took = run(actions.confirm.ActionLogCase(), confirmed_slots(), "yes")
    assert said[0] == wording.say("store.deferred_case")
    assert took < 0.5  # no second wait for the lock
    time.sleep(availability.FAIL_FAST_SECONDS)
    assert not availability.known_unavailable()


def service_order_numbers(store: Store) -> list[str]:
    with store.unit_of_work() as uow:
        return list(uow.catalogue.order_numbers())
