"""Confirm: log the case, hand over to a person, answer status questions."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Iterable, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    clear_request,
    latest_entities,
    latest_text,
    proven_slots,
    say,
    slot_events,
    slots_of,
    store,
    utter,
    with_store,
)
from bot.cases.conversations import evidence_of
from bot.cases.service import TranscriptTurn
from bot.cases.transcript_sync import append_turns
from bot.conversation import dialogue, outcome, wording
from bot.conversation.replies import Reply, reply
from bot.conversation.requests.refunds import asks_about_a_refund
from bot.db import StoreUnavailable
from bot.patterns import CASE_REFERENCE, find_email

log = logging.getLogger(__name__)


def transcript_of(tracker: Tracker) -> list[TranscriptTurn]:
    """Who said what, and when, in this conversation; each bot line with its stage and wording id."""
    turns = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        at = dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=dt.timezone.utc)
        text = str(event["text"])
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append(TranscriptTurn("customer", text, at, intent=intent))
            continue
        metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
        if metadata.get("staff"):  # a member of staff writing through a takeover
            turns.append(TranscriptTurn("staff", text, at, actor=str(metadata["staff"])))
            continue
        stage, message_id = evidence_of(metadata)
        if stage is None:  # said without its wording id (before every message carried one): read the words
            known = wording.identify(text)
            stage, message_id = (known.stage, known.id) if known is not None else (None, None)
        turns.append(TranscriptTurn("bot", text, at, stage=stage, message_id=message_id))
    return turns


def said_now(replies: Iterable[Reply]) -> list[TranscriptTurn]:
    """Transcript turns of replies this action is about to send."""
    now = dt.datetime.now(dt.timezone.utc)
    return [TranscriptTurn("bot", r.text, now, stage=r.stage or None, message_id=r.message_id or None) for r in replies]


def keep_with_case(reference: Optional[str], replies: Iterable[Reply]) -> None:
    """Add the replies of the action that logged case ``reference`` (its confirmation) to the case's transcript.

    The snapshot written with the case stops at the customer's last message; this puts the Confirm stage in
    the stored evidence too, even where Rasa's tracker store is not read. Done in the background, so the
    customer never waits for it; if it fails, the scheduler's ``transcripts`` job copies the lines later.
    """
    if not reference:
        return
    turns = said_now(replies)
    job = asyncio.get_running_loop().run_in_executor(None, append_turns, store(), reference, turns)

    def reported(done: asyncio.Future[int]) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.warning("the confirmation of %s was not added to its transcript: %s", reference, done.exception())

    job.add_done_callback(reported)


def identified(text: str) -> Reply:
    """A reply for a text the conversation logic rendered, with the stage and id of the message it is."""
    known = wording.identify(text)
    return Reply(text, [], known.stage, known.id) if known is not None else Reply(text)


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
        turn.add(reply("confirm.anything_else"))
        say(dispatcher, turn.replies)
        keep_with_case(turn.slots.get("case_reference"), turn.replies)
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
        keep_with_case(turn.slots.get("case_reference"), turn.replies)  # a case opened now: the hand-off with it
        return [ActiveLoop(None), SlotSet("requested_slot", None), *slot_events(turn.slots), *clear_request(tracker)]


class ActionCaseStatus(Action):
    """Tell a customer where their case is, after checking it is theirs."""

    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if tracker.active_loop.get("name") == "complaint_form" and not dialogue.asks_about_a_case(text):
            return await answer_to_the_form(dispatcher, tracker, text)
        if asks_about_a_refund(text) and not tracker.get_slot("status_pending"):
            from actions.requests import ActionRefundStatus  # a refund question read as a status question

            return await ActionRefundStatus().run(dispatcher, tracker, domain)
        found = CASE_REFERENCE.search(text)
        reference = found.group(0).upper() if found else tracker.get_slot("status_reference")
        given_email = find_email(text)
        email = given_email.lower() if given_email else proven_slots(tracker)["customer_email"]
        if not reference:
            utter(dispatcher, reply("status.ask_reference"))
            return [SlotSet("status_pending", True)]
        try:
            (verified, answer), _ = await with_store(
                lambda: outcome.case_status(store(), reference, tracker.sender_id, email), fail_fast=True
            )
        except StoreUnavailable:
            utter(dispatcher, reply("store.status_unavailable", reference=reference))
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        if verified or answer:
            utter(dispatcher, identified(answer))
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        if tracker.get_slot("status_pending") and given_email:
            utter(dispatcher, reply("status.email_mismatch"))
            return [SlotSet("status_pending", False), SlotSet("status_reference", None)]
        utter(dispatcher, reply("status.ask_email", reference=reference))
        return [SlotSet("status_pending", True), SlotSet("status_reference", reference)]


async def answer_to_the_form(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[dict[str, Any]]:
    """A complaint-form answer the intent model read as a status question: give it to the form's question."""
    slots, requested, entities = slots_of(tracker), tracker.get_slot("requested_slot"), latest_entities(tracker)
    try:
        turn, _ = await with_store(lambda: dialogue.handle_answer(store(), slots, requested, text, "inform", entities))
    except StoreUnavailable:
        utter(dispatcher, reply("store.busy"))
        return []
    if turn is None:
        return []
    say(dispatcher, turn.replies)
    slots.update(turn.slots)
    return [*slot_events(turn.slots), SlotSet("requested_slot", dialogue.next_slot(slots))]


# Meanings the clarifying question may offer (``clarify.<intent>`` in the wording catalogue).
CLARIFIED_INTENTS = (
    *("report_problem", "check_status", "request_human", "choose_resolution", "cancel", "greet"),
    *("order_status", "cancel_order", "return_item", "request_callback", "ask_contact", "refund_status"),
)


class ActionClarify(Action):
    """When the assistant is unsure, offer the two likeliest meanings instead of guessing."""

    def name(self) -> str:
        return "action_clarify"

    # Meanings offered: intent -> (button title, ``clarify.<intent>`` in the wording catalogue; payload).
    LABELS = {name: (wording.say(f"clarify.{name}"), f"/{name}") for name in CLARIFIED_INTENTS}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = latest_text(tracker).strip()
        # The unclear message is forgotten, so the conversation carries on from where it was.
        if not text:
            utter(dispatcher, reply("listen.empty_message"))
            return [UserUtteranceReverted()]
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        buttons: list[dict[str, str]] = []
        for item in ranking:
            name = item.get("name")
            if name in self.LABELS and len(buttons) < 2:
                title, payload = self.LABELS[name]
                buttons.append({"title": title, "payload": payload})
        if not buttons:
            utter(dispatcher, reply("clarify.rephrase"))
            return [UserUtteranceReverted()]
        buttons.append({"title": wording.say("clarify.request_human"), "payload": "/request_human"})
        utter(dispatcher, reply("clarify.did_you_mean", buttons))
        return [UserUtteranceReverted()]
