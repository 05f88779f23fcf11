"""Listen and Understand: acknowledge the complaint and run the complaint form."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    is_fresh_answer,
    latest_entities,
    latest_intent,
    latest_text,
    say,
    slot_events,
    slots_of,
    store,
)
from bot.conversation import dialogue


class ActionAcknowledgeComplaint(Action):
    """Hear the story and acknowledge it, keeping every fact it gives."""

    def name(self) -> str:
        return "action_acknowledge_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = dialogue.acknowledge(store(), slots_of(tracker), latest_text(tracker))
        say(dispatcher, turn.replies)
        return slot_events(turn.slots)


class ValidateComplaintForm(FormValidationAction):
    """Reads each answer, fills what it can, and picks the next question."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = slots_of(tracker)
        events: list[dict[str, Any]] = []
        if tracker.active_loop.get("name") == self.form_name() and is_fresh_answer(tracker, self.form_name()):
            turn = dialogue.handle_answer(
                store(),
                slots,
                tracker.get_slot("requested_slot"),
                latest_text(tracker),
                latest_intent(tracker),
                latest_entities(tracker),
            )
            if turn is None:
                return []  # not an answer: let the rules handle it (cancel, person, small talk)
            say(dispatcher, turn.replies)
            events += slot_events(turn.slots)
            slots.update(turn.slots)
        events.append(SlotSet("requested_slot", dialogue.next_slot(slots)))
        return events


def _ask_action(slot: str) -> type[Action]:
    class AskAction(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> list[dict[str, Any]]:
            turn = dialogue.ask(store(), slot, slots_of(tracker))
            say(dispatcher, turn.replies)
            return slot_events(turn.slots)

    AskAction.__name__ = AskAction.__qualname__ = "Ask" + "".join(p.capitalize() for p in slot.split("_"))
    AskAction.__doc__ = f"Asks the customer for {slot.replace('_', ' ')}."
    return AskAction


ASK_ACTIONS = {slot: _ask_action(slot) for slot in dialogue.required_slots({"safety_issue": True, "order_lookup": "x"})}


class ActionCancelComplaint(Action):
    """Stop the complaint cleanly: nothing is logged."""

    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="No problem, I've stopped there and haven't logged anything. "
            "If you change your mind, just tell me what happened."
        )
        return [ActiveLoop(None), SlotSet("requested_slot", None), *slot_events(dialogue.reset_complaint())]
