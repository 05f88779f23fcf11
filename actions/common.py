"""Small helpers shared by the actions: the store, slot reading, replies."""

from __future__ import annotations

from typing import Any, Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.cases.store import Store, get_store
from bot.conversation.dialogue import COMPLAINT_SLOTS, Reply

SLOT_NAMES = (
    *COMPLAINT_SLOTS,
    "customer_name",
    "customer_email",
    "case_reference",
    "status_pending",
    "status_reference",
)


def store() -> Store:
    """The action server's case store (created on first use)."""
    return get_store()


def slots_of(tracker: Tracker) -> dict[str, Any]:
    """The slot values the conversation logic needs."""
    return {name: tracker.get_slot(name) for name in SLOT_NAMES}


def say(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Send replies (with buttons) to the customer."""
    for reply in replies:
        if reply.buttons:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        else:
            dispatcher.utter_message(text=reply.text)


def slot_events(values: dict[str, Any]) -> list[dict[str, Any]]:
    """SlotSet events for a dict of slot values."""
    return [SlotSet(name, value) for name, value in values.items()]


def latest_text(tracker: Tracker) -> str:
    """The customer's latest message text ('' if none)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest message."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


def latest_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """Entities of the latest message (set by button payloads)."""
    return list((tracker.latest_message or {}).get("entities") or [])


IGNORED_ACTIONS = frozenset({"action_listen", "action_extract_slots"})


def is_fresh_answer(tracker: Tracker, form_name: str) -> bool:
    """True when the form runs straight after a customer message (not when it resumes after small talk).

    Rasa hands the validation action a tracker ending in ``ActionExecuted(<form>)``; a message is an
    answer to the form's question only if no other bot action ran between it and that point.
    """
    marker_seen = False
    for event in reversed(list(tracker.events)):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind != "action":
            continue
        name = event.get("name")
        if name == form_name and not marker_seen:
            marker_seen = True
            continue
        if name not in IGNORED_ACTIONS:
            return False
    return False
