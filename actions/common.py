"""Small helpers shared by the actions: the store, slot reading, replies."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any, Callable, Iterable, Optional, Protocol, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.cases.availability import known_unavailable, lookups_missed, mark_unavailable, start_turn
from bot.cases.store import Store, get_store
from bot.conversation.replies import Reply, reply
from bot.conversation.requests.ownership import proven_email
from bot.conversation.requests.state import REQUEST_SLOTS
from bot.conversation.state import COMPLAINT_SLOTS
from bot.db import StoreUnavailable, is_unavailable

T = TypeVar("T")

SLOT_NAMES = (
    *COMPLAINT_SLOTS,
    "customer_name",
    "customer_email",
    "case_reference",
    "status_pending",
    "status_reference",
    "phone",
    "request_pending",
    "request_step",
    "request_subject",
    "request_tries",
    "late_offer",
)


def store() -> Store:
    """The action server's case store (created on first use)."""
    return get_store()


def answer_deadline() -> float:
    """Seconds an action may spend on the case database before it answers without it (< 3 s in all)."""
    return store().settings.db_answer_timeout_ms / 1000 + 1.0


async def with_store(work: Callable[[], T], fail_fast: bool = False) -> tuple[T, bool]:
    """Run ``work`` (blocking database code) off the event loop, within :func:`answer_deadline`.

    Returns ``(result, lookups_missed)``; raises :class:`StoreUnavailable` when the database is locked,
    down or too slow, so the action can answer plainly instead of leaving the customer waiting. Work
    cut off by the deadline may still finish later: everything it writes is idempotent. With
    ``fail_fast`` (writes that have a fallback) it raises at once while the database was found
    unavailable in the last few seconds (:func:`bot.cases.availability.known_unavailable`).
    """
    if fail_fast and known_unavailable():
        raise StoreUnavailable("the case database was unavailable a moment ago")
    context = contextvars.copy_context()
    context.run(start_turn)  # misses are reported per piece of work, never carried over from an earlier one
    future = asyncio.get_running_loop().run_in_executor(None, context.run, work)
    try:
        result = await asyncio.wait_for(future, timeout=answer_deadline())
    except asyncio.TimeoutError as exc:
        mark_unavailable()
        raise StoreUnavailable("the case database did not answer in time") from exc
    except Exception as exc:
        if is_unavailable(exc):
            mark_unavailable()
            raise StoreUnavailable(str(exc).splitlines()[0]) from exc
        raise
    return result, context.run(lookups_missed)


def said_before(tracker: Tracker, text: str) -> bool:
    """True when the bot already said ``text`` in this conversation (to say a notice once)."""
    return any(e.get("event") == "bot" and e.get("text") == text for e in tracker.events)


def note_slow_lookups(dispatcher: CollectingDispatcher, tracker: Tracker, missed: bool) -> None:
    """Tell the customer once that details could not be checked (the database was unavailable)."""
    notice = reply("store.slow_lookup")
    if missed and not said_before(tracker, notice.text):
        utter(dispatcher, notice)


def clear_request(tracker: Tracker) -> list[dict[str, Any]]:
    """Events that drop a request waiting for an answer (the conversation moved on to something else)."""
    return [SlotSet(name, None) for name in REQUEST_SLOTS if tracker.get_slot(name)]


def slots_of(tracker: Tracker) -> dict[str, Any]:
    """The slot values the conversation logic needs."""
    return {name: tracker.get_slot(name) for name in SLOT_NAMES}


def customer_texts(tracker: Tracker) -> list[str]:
    """Everything the customer typed in this conversation."""
    return [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]


def proven_slots(tracker: Tracker) -> dict[str, Any]:
    """The slots, with the e-mail address kept only if the customer typed it (it is proof of who they are)."""
    slots = slots_of(tracker)
    slots["customer_email"] = proven_email(slots.get("customer_email"), customer_texts(tracker))
    return slots


def evidence(said: Reply) -> dict[str, str]:
    """The stage and wording id of a reply, as the bot event's metadata (empty for a reply without an id)."""
    return {"stage": said.stage, "message_id": said.message_id} if said.message_id else {}


def utter(dispatcher: CollectingDispatcher, said: Reply) -> None:
    """Send one reply (with its buttons) to the customer.

    Its stage and wording id go with it: Rasa keeps the keys of an action's message it does not know as the
    ``BotUttered`` event's metadata (``rasa.core.actions.action.create_bot_utterance``), which the tracker
    store keeps and the transcripts read; the output channels (REST, socket.io, Slack) do not send them on.
    """
    if said.buttons:
        dispatcher.utter_message(text=said.text, buttons=said.buttons, **evidence(said))
    else:
        dispatcher.utter_message(text=said.text, **evidence(said))


def say(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Send replies (with buttons, stage and wording id) to the customer."""
    for said in replies:
        utter(dispatcher, said)


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


class Answer(Protocol):
    """What the conversation logic returns for one message: replies and slot values."""

    replies: list[Reply]
    slots: dict[str, Any]


AnswerHandler = Callable[[dict[str, Any], Optional[str], str, Optional[str], list[dict[str, Any]]], Optional[Answer]]


async def validate_guarded(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    form_name: str,
    slots: dict[str, Any],
    handle: AnswerHandler,
    next_slot: Callable[[dict[str, Any]], Optional[str]],
) -> list[dict[str, Any]]:
    """:func:`validate_form_turn` within the answer deadline.

    While the database is unavailable the customer hears so plainly and the form keeps its place
    (their message stays in the conversation).
    """
    inner = CollectingDispatcher()
    try:
        events, missed = await with_store(
            lambda: validate_form_turn(inner, tracker, form_name, slots, handle, next_slot)
        )
    except StoreUnavailable:
        utter(dispatcher, reply("store.busy"))
        return []
    note_slow_lookups(dispatcher, tracker, missed)
    dispatcher.messages.extend(inner.messages)
    return events


def validate_form_turn(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    form_name: str,
    slots: dict[str, Any],
    handle: AnswerHandler,
    next_slot: Callable[[dict[str, Any]], Optional[str]],
) -> list[dict[str, Any]]:
    """One form validation: read the customer's fresh answer with ``handle``, then pick the next question.

    ``handle(slots, requested_slot, text, intent, entities)`` returns None when the message is not an
    answer (cancel, a person, small talk): then nothing is set and the rules take over.
    """
    events: list[dict[str, Any]] = []
    if tracker.active_loop.get("name") == form_name and is_fresh_answer(tracker, form_name):
        answer = handle(
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
    events.append(SlotSet("requested_slot", next_slot(slots)))
    return events


def ask_action(slot: str, ask: Callable[[Tracker], Answer], purpose: str) -> type[Action]:
    """An ``action_ask_<slot>`` class whose question (and any slots it sets) comes from ``ask(tracker)``."""

    class AskAction(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
        ) -> list[dict[str, Any]]:
            try:
                answer, missed = await with_store(lambda: ask(tracker))
            except StoreUnavailable:
                utter(dispatcher, reply("store.busy"))
                return []
            note_slow_lookups(dispatcher, tracker, missed)
            say(dispatcher, answer.replies)
            return slot_events(answer.slots)

    AskAction.__name__ = AskAction.__qualname__ = "Ask" + "".join(p.capitalize() for p in slot.split("_"))
    AskAction.__doc__ = f"Asks {purpose} for {slot.replace('_', ' ')}."
    return AskAction
