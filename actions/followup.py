"""The satisfaction follow-up conversation, started by the scheduler through trigger_intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import is_fresh_answer, latest_entities, latest_intent, latest_text, say, slot_events, store
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
        turn = conversation.start(
            store(), _entity(tracker, "followup_key"), _entity(tracker, "case_reference"), tracker.sender_id
        )
        say(dispatcher, turn.replies)
        return [SlotSet("followup_active", bool(turn.slots.get("followup_active"))), *slot_events(turn.slots)]


class ValidateSatisfactionForm(FormValidationAction):
    """Reads the answers to the follow-up questions."""

    def name(self) -> str:
        return "validate_satisfaction_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = _slots(tracker)
        events: list[dict[str, Any]] = []
        if tracker.active_loop.get("name") == self.form_name() and is_fresh_answer(tracker, self.form_name()):
            answer = conversation.handle(
                slots,
                tracker.get_slot("requested_slot"),
                latest_text(tracker),
                latest_intent(tracker),
                latest_entities(tracker),
            )
            if answer is None:
                return []
            say(dispatcher, answer.replies)
            events += slot_events(answer.slots)
            slots.update(answer.slots)
        events.append(SlotSet("requested_slot", conversation.next_slot(slots)))
        return events


def _ask_action(slot: str) -> type[Action]:
    class AskAction(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> list[dict[str, Any]]:
            say(dispatcher, [conversation.ask(slot)])
            return []

    AskAction.__name__ = AskAction.__qualname__ = "Ask" + "".join(p.capitalize() for p in slot.split("_"))
    AskAction.__doc__ = f"Asks the follow-up question for {slot}."
    return AskAction


ASK_ACTIONS = {slot: _ask_action(slot) for slot in conversation.SLOTS}


class ActionFollowupSubmit(Action):
    """Stores the rating; a "no" or a low score reopens the case and alerts staff."""

    def name(self) -> str:
        return "action_followup_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = conversation.finish(store(), _slots(tracker))
        say(dispatcher, turn.replies)
        return slot_events(turn.slots)
