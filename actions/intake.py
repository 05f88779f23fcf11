"""Listen and Understand: acknowledge the complaint and run the complaint form."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ask_action,
    clear_request,
    latest_text,
    note_slow_lookups,
    say,
    slot_events,
    slots_of,
    store,
    validate_guarded,
    with_store,
)
from actions.requests import ActionContinueRequest, takes_any_words
from bot.conversation import dialogue
from bot.conversation.replies import reply
from bot.db import StoreUnavailable


class ActionAcknowledgeComplaint(Action):
    """Hear the story and acknowledge it, keeping every fact it gives."""

    def name(self) -> str:
        return "action_acknowledge_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots, text = slots_of(tracker), latest_text(tracker)
        if takes_any_words(tracker):  # "after 5pm" read as a problem: it answers "when shall we call?"
            events = await ActionContinueRequest().run(dispatcher, tracker, domain)
            return [*events, FollowupAction("action_listen")]
        try:
            turn, missed = await with_store(lambda: dialogue.acknowledge(store(), slots, text))
        except StoreUnavailable:
            say(dispatcher, [reply("store.busy")])
            return []
        say(dispatcher, turn.replies)
        note_slow_lookups(dispatcher, tracker, missed)
        return [*slot_events(turn.slots), *clear_request(tracker)]


class ValidateComplaintForm(FormValidationAction):
    """Reads each answer, fills what it can, and picks the next question."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        def handle(*answer: Any) -> Optional[dialogue.Turn]:
            return dialogue.handle_answer(store(), *answer)

        return await validate_guarded(
            dispatcher, tracker, self.form_name(), slots_of(tracker), handle, dialogue.next_slot
        )


def _ask_action(slot: str) -> type[Action]:
    return ask_action(slot, lambda tracker: dialogue.ask(store(), slot, slots_of(tracker)), "the customer")


ASK_ACTIONS = {slot: _ask_action(slot) for slot in dialogue.all_questions()}


class ActionCancelComplaint(Action):
    """Stop the complaint cleanly: nothing is logged."""

    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        say(dispatcher, [reply("confirm.cancelled")])
        return [ActiveLoop(None), SlotSet("requested_slot", None), *slot_events(dialogue.reset_complaint())]
