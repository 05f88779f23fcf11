"""The satisfaction follow-up conversation, started by the scheduler through trigger_intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ask_action, latest_entities, say, slot_events, store, validate_guarded, with_store
from bot.db import StoreUnavailable
from bot.followups import conversation

FOLLOWUP_SLOTS = ("followup_key", "followup_retries", "case_reference", *conversation.SLOTS)


def _slots(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in FOLLOWUP_SLOTS}


def _entity(tracker: Tracker, name: str) -> str | None:
    return next((str(e["value"]) for e in latest_entities(tracker) if e.get("entity") == name and e.get("value")), None)


class ActionFollowupStart(Action):
    """Begins the follow-up once; a forged or repeated trigger says nothing."""

    def name(self) -> str:
        return "action_followup_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        key, reference = _entity(tracker, "followup_key"), _entity(tracker, "case_reference")
        try:
            turn, _ = await with_store(lambda: conversation.start(store(), key, reference, tracker.sender_id))
        except StoreUnavailable:  # not marked sent: the scheduler tries again later; the customer was asked nothing
            return [SlotSet("followup_active", False)]
        say(dispatcher, turn.replies)
        return [SlotSet("followup_active", bool(turn.slots.get("followup_active"))), *slot_events(turn.slots)]


class ValidateSatisfactionForm(FormValidationAction):
    """Reads the answers to the follow-up questions."""

    def name(self) -> str:
        return "validate_satisfaction_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await validate_guarded(
            dispatcher, tracker, self.form_name(), _slots(tracker), conversation.handle, conversation.next_slot
        )


def _ask_action(slot: str) -> type[Action]:
    return ask_action(
        slot, lambda tracker: conversation.Answer(replies=[conversation.ask(slot)]), "the follow-up question"
    )


ASK_ACTIONS = {slot: _ask_action(slot) for slot in conversation.SLOTS}


class ActionFollowupSubmit(Action):
    """Stores the rating; a "no" or a low score reopens the case and alerts staff."""

    def name(self) -> str:
        return "action_followup_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = _slots(tracker)
        try:
            turn, _ = await with_store(lambda: conversation.finish(store(), slots), fail_fast=True)
        except StoreUnavailable:
            turn = conversation.defer_finish(store(), slots)
        say(dispatcher, turn.replies)
        return slot_events(turn.slots)
