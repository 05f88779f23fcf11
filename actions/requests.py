"""Requests that are not a fault: order status, cancelling an order, returns, call-backs, contact, refunds.

Thin: read slots and text, call :mod:`bot.conversation.requests.flow`, open the case it asks for, return events.
"""

from __future__ import annotations

import abc
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    clear_request,
    latest_entities,
    latest_intent,
    latest_text,
    proven_slots,
    say,
    slot_events,
    slots_of,
    store,
    utter,
    with_store,
)
from actions.confirm import answer_to_the_form, channel_of, keep_with_case, transcript_of
from bot.conversation import dialogue
from bot.conversation.replies import reply
from bot.conversation.requests import flow, recording
from bot.conversation.requests.state import RequestTurn
from bot.db import StoreUnavailable

FORM = "complaint_form"


async def _record(dispatcher: CollectingDispatcher, tracker: Tracker, turn: RequestTurn) -> Optional[str]:
    """Open the case the request asks for (the outbox keeps it while the database is unavailable); its reference."""
    if turn.case is None:
        return None
    facts = (tracker.sender_id, channel_of(tracker), transcript_of(tracker))
    try:
        reference, _ = await with_store(lambda: recording.record(store(), turn, *facts), fail_fast=True)
    except StoreUnavailable:
        recording.defer(store(), turn, *facts)
        return None
    return reference


def _changes(tracker: Tracker, values: dict[str, Any]) -> list[dict[str, Any]]:
    """SlotSet events for the values that change (a request slot already empty stays unset, not False)."""
    return slot_events({k: v for k, v in values.items() if (v or tracker.get_slot(k)) and v != tracker.get_slot(k)})


async def _reply(dispatcher: CollectingDispatcher, tracker: Tracker, work: Any) -> list[dict[str, Any]]:
    try:
        turn, _ = await with_store(work)
    except StoreUnavailable:
        utter(dispatcher, reply("requests.unavailable"))
        return clear_request(tracker)
    reference = await _record(dispatcher, tracker, turn)
    say(dispatcher, turn.replies)
    keep_with_case(reference, turn.replies)  # the confirmation with its reference, in the case's transcript
    return _changes(tracker, turn.slots)


def takes_any_words(tracker: Tracker) -> bool:
    """True while a request waits for an answer in the customer's own words (when to call), whatever the intent."""
    return bool(tracker.get_slot("request_pending")) and flow.takes_any_words(tracker.get_slot("request_step"))


def _in_form(tracker: Tracker) -> bool:
    return tracker.active_loop.get("name") == FORM


class RequestAction(Action, abc.ABC):
    """Answers one request (``action_<request>``); inside the complaint it answers, then the complaint resumes."""

    @property
    @abc.abstractmethod
    def request(self) -> str:
        """The request (intent) this action answers."""

    def name(self) -> str:
        return f"action_{self.request}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text, in_form = latest_text(tracker), _in_form(tracker)
        if takes_any_words(tracker):  # "any time is fine" read as a question: it answers "when shall we call?"
            return await ActionContinueRequest().run(dispatcher, tracker, domain)
        if in_form and self.answers_the_form(tracker, text):
            return await answer_to_the_form(dispatcher, tracker, text)
        slots, sender, entities = proven_slots(tracker), tracker.sender_id, latest_entities(tracker)
        intent = latest_intent(tracker)
        return await _reply(
            dispatcher,
            tracker,
            lambda: flow.answer(store(), self.request, slots, sender, text, intent, entities, in_complaint=in_form),
        )

    def answers_the_form(self, tracker: Tracker, text: str) -> bool:
        """True when the message answers the form's question rather than asking this (the intent was misread)."""
        return False


class ActionOrderStatus(RequestAction):
    """Answers "where is my order?"."""

    request = "order_status"

    def answers_the_form(self, tracker: Tracker, text: str) -> bool:
        """An order number given when the complaint asks for it is the complaint's order."""
        return tracker.get_slot("requested_slot") == "order_number"


class ActionCancelOrder(RequestAction):
    """Cancel my order (never "stop the complaint")."""

    request = "cancel_order"


class ActionReturnItem(RequestAction):
    """A change-of-mind return; a fault described as a return question becomes a complaint."""

    request = "return_item"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if _in_form(tracker) or tracker.get_slot("request_pending"):
            return await super().run(dispatcher, tracker, domain)
        try:
            fault, _ = await with_store(lambda: flow.is_a_fault(store(), text))
        except StoreUnavailable:
            fault = False
        if not fault:
            return await super().run(dispatcher, tracker, domain)
        slots = slots_of(tracker)
        try:
            turn, _ = await with_store(lambda: dialogue.acknowledge(store(), slots, text))
        except StoreUnavailable:
            utter(dispatcher, reply("store.busy"))
            return []
        say(dispatcher, turn.replies)
        return [*slot_events(turn.slots), *clear_request(tracker), FollowupAction(FORM)]


class ActionRequestCallback(RequestAction):
    """Call me back: a number and a time, then a call-back case."""

    request = "request_callback"


class ActionAskContact(RequestAction):
    """How to reach us."""

    request = "ask_contact"


class ActionRefundStatus(RequestAction):
    """Answers "where is my refund?"."""

    request = "refund_status"


class ActionContinueRequest(Action):
    """The customer's answer to what a request asked (order number, e-mail, yes / no, phone, time)."""

    def name(self) -> str:
        return "action_continue_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots, sender, text = proven_slots(tracker), tracker.sender_id, latest_text(tracker)
        intent, entities = latest_intent(tracker), latest_entities(tracker)
        return await _reply(dispatcher, tracker, lambda: flow.carry_on(store(), slots, sender, text, intent, entities))


class ActionDeclineLateComplaint(Action):
    """No to the late-delivery complaint (for now)."""

    def name(self) -> str:
        return "action_decline_late_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = flow.decline_late_complaint()
        say(dispatcher, turn.replies)
        return _changes(tracker, turn.slots)


class ActionLateComplaint(Action):
    """Yes to the late-delivery complaint: the complaint form starts with the order and the fault filled in."""

    def name(self) -> str:
        return "action_late_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = slots_of(tracker)
        try:
            turn, _ = await with_store(lambda: flow.late_complaint(store(), slots))
        except StoreUnavailable:
            utter(dispatcher, reply("store.busy"))
            return [SlotSet("late_offer", False)]
        say(dispatcher, turn.replies)
        return slot_events(turn.slots)
