"""Confirm: log the case, hand over to a person, answer status questions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, latest_text, say, slot_events, slots_of, store, with_store
from bot.cases.service import TranscriptTurn
from bot.conversation import dialogue, outcome, texts
from bot.db import StoreUnavailable

ANYTHING_ELSE = "Is there anything else I can help you with?"
DIDNT_UNDERSTAND = (
    "Sorry, I didn't quite understand. Could you put it another way? You can also ask for a person at any time."
)
EMPTY_MESSAGE = "It looks like that message was empty. Tell me what went wrong with your order and I'll help."
REFERENCE = re.compile(r"\bCS-\d{4}-\d{6}\b", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def transcript_of(tracker: Tracker) -> list[TranscriptTurn]:
    """Who said what, and when, in this conversation."""
    turns = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        at = dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=dt.timezone.utc)
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") if kind == "user" else None
        turns.append(TranscriptTurn("customer" if kind == "user" else "bot", str(event["text"]), at, intent=intent))
    return turns


def channel_of(tracker: Tracker) -> str:
    """The input channel of the conversation (rest, socketio, slack...)."""
    return tracker.get_latest_input_channel() or "rest"


class ActionLogCase(Action):
    """Log the agreed complaint as a case (idempotent) and give the reference and next steps."""

    def name(self) -> str:
        return "action_log_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        facts = (store(), slots_of(tracker), tracker.sender_id, channel_of(tracker), transcript_of(tracker))
        try:
            turn, _ = await with_store(lambda: outcome.log_complaint(*facts), fail_fast=True)
        except StoreUnavailable:  # kept in the outbox; written once the database is back
            turn = outcome.defer_complaint(*facts)
        say(dispatcher, turn.replies)
        dispatcher.utter_message(text=ANYTHING_ELSE)
        return slot_events(turn.slots)


class ActionCaseLogged(Action):
    """A complaint confirmed while the database was unavailable is now logged: give its reference."""

    def name(self) -> str:
        return "action_case_logged"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        given = [e for e in latest_entities(tracker) if e.get("entity") == "case_reference" and e.get("value")]
        reference = str(given[0]["value"]) if given else None
        try:
            turn, _ = await with_store(lambda: outcome.case_logged_late(store(), reference, tracker.sender_id))
        except StoreUnavailable:
            return []  # the scheduler's notice stays recorded; the reference is also in case status answers
        say(dispatcher, turn.replies)
        return slot_events(turn.slots)


class ActionHandoff(Action):
    """A request for a person is always honoured; what was said so far is logged."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        facts = (store(), slots_of(tracker), tracker.sender_id, channel_of(tracker), transcript_of(tracker))
        try:
            turn, _ = await with_store(lambda: outcome.request_person(*facts), fail_fast=True)
        except StoreUnavailable:
            turn = outcome.defer_person(*facts)
        say(dispatcher, turn.replies)
        return [ActiveLoop(None), SlotSet("requested_slot", None), *slot_events(turn.slots)]


class ActionCaseStatus(Action):
    """Tell a customer where their case is, after checking it is theirs."""

    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if tracker.active_loop.get("name") == "complaint_form" and not dialogue.asks_about_a_case(text):
            return await _answer_to_the_form(dispatcher, tracker, text)
        found = REFERENCE.search(text)
        reference = found.group(0).upper() if found else tracker.get_slot("status_reference")
        email_match = EMAIL.search(text)
        email = email_match.group(0).lower() if email_match else tracker.get_slot("customer_email")
        if not reference:
            dispatcher.utter_message(text="What's your case reference? It looks like CS-2026-000123.")
            return [SlotSet("status_pending", True)]
        try:
            (verified, answer), _ = await with_store(
                lambda: outcome.case_status(store(), reference, tracker.sender_id, email), fail_fast=True
            )
        except StoreUnavailable:
            dispatcher.utter_message(text=texts.STORE_STATUS_UNAVAILABLE.format(reference=reference))
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        if verified or answer:
            dispatcher.utter_message(text=answer)
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        if tracker.get_slot("status_pending") and email_match:
            dispatcher.utter_message(
                text="Sorry, that email address doesn't match the case, so I can't share its details. "
                "A member of our team can help if you ask for a person."
            )
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        dispatcher.utter_message(
            text=f"To protect your privacy, please tell me the email address you used for case {reference}."
        )
        return [SlotSet("status_pending", True), SlotSet("status_reference", reference)]


async def _answer_to_the_form(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[dict[str, Any]]:
    """A complaint-form answer the intent model read as a status question: give it to the form's question."""
    slots, requested, entities = slots_of(tracker), tracker.get_slot("requested_slot"), latest_entities(tracker)
    try:
        turn, _ = await with_store(lambda: dialogue.handle_answer(store(), slots, requested, text, "inform", entities))
    except StoreUnavailable:
        dispatcher.utter_message(text=texts.STORE_BUSY)
        return []
    if turn is None:
        return []
    say(dispatcher, turn.replies)
    slots.update(turn.slots)
    return [*slot_events(turn.slots), SlotSet("requested_slot", dialogue.next_slot(slots))]


class ActionClarify(Action):
    """When the assistant is unsure, offer the two likeliest meanings instead of guessing."""

    def name(self) -> str:
        return "action_clarify"

    LABELS = {
        "report_problem": ("Report a problem", "/report_problem"),
        "check_status": ("Check a case", "/check_status"),
        "request_human": ("Talk to a person", "/request_human"),
        "choose_resolution": ("Choose a resolution", "/choose_resolution"),
        "cancel": ("Stop", "/cancel"),
        "greet": ("Say hello", "/greet"),
    }

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = latest_text(tracker).strip()
        # The unclear message is forgotten, so the conversation carries on from where it was.
        if not text:
            dispatcher.utter_message(text=EMPTY_MESSAGE)
            return [UserUtteranceReverted()]
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        buttons: list[dict[str, str]] = []
        for item in ranking:
            name = item.get("name")
            if name in self.LABELS and len(buttons) < 2:
                title, payload = self.LABELS[name]
                buttons.append({"title": title, "payload": payload})
        if not buttons:
            dispatcher.utter_message(text=DIDNT_UNDERSTAND)
            return [UserUtteranceReverted()]
        buttons.append({"title": "Talk to a person", "payload": "/request_human"})
        dispatcher.utter_message(text="Sorry, I'm not sure I understood. Did you mean one of these?", buttons=buttons)
        return [UserUtteranceReverted()]
