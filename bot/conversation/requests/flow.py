"""What the actions call for the requests: start one, carry on with one, record the case it opens."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional

from bot.cases import service
from bot.cases.store import Store
from bot.conversation.catalogue import Catalogue, CatalogueUnavailable
from bot.conversation.replies import Turn
from bot.conversation.requests import callback, cancellation, contact, order_status, refunds, returns
from bot.conversation.requests.refunds import CaseLookup
from bot.conversation.requests.state import RequestMessage, RequestState, RequestTurn
from bot.conversation.sql_catalogue import SqlCatalogue

REQUESTS = ("order_status", "cancel_order", "return_item", "request_callback", "ask_contact", "refund_status")
# Intents that mean "never mind" to a question a request asked.
DROP_INTENTS = frozenset({"cancel", "goodbye"})


# Questions whose answer is the customer's own words, whatever the intent model makes of them.
ANY_WORDS_STEPS = frozenset({"request_callback:time"})


def takes_any_words(step: Optional[str]) -> bool:
    """True when the request waits for an answer in the customer's own words (``step`` as in the slot)."""
    return step in ANY_WORDS_STEPS


def store_case_lookup(store: Store) -> CaseLookup:
    """Case JSON by reference from the case store."""

    def find(reference: str) -> Optional[Mapping[str, Any]]:
        try:
            return service.get_case(store, reference)
        except service.CaseNotFound:
            return None

    return find


def _sources(source: Catalogue | Store, find_case: Optional[CaseLookup]) -> tuple[Catalogue, CaseLookup]:
    if isinstance(source, Store):
        return SqlCatalogue(source), find_case or store_case_lookup(source)
    return source, find_case or (lambda reference: None)


def answer(
    source: Catalogue | Store,
    request: str,
    slots: Mapping[str, Any],
    sender_id: str,
    text: str,
    intent: Optional[str] = None,
    entities: Optional[list[dict[str, Any]]] = None,
    in_complaint: bool = False,
    find_case: Optional[CaseLookup] = None,
) -> RequestTurn:
    """Answer ``request`` (one of :data:`REQUESTS`), or the answer to the question it asked."""
    catalogue, lookup = _sources(source, find_case)
    state = RequestState.from_slots(slots, sender_id, in_complaint)
    if state.request != request:
        state = dataclasses.replace(state, step=None, subject=None, tries=0)
    message = RequestMessage(text or "", intent or request, catalogue.today(), list(entities or []))
    try:
        turn = _answer(catalogue, lookup, request, state, message)
    except CatalogueUnavailable:
        turn = RequestTurn()
        turn.say("requests.unavailable")
        turn.finish()
        return turn
    if in_complaint and turn.slots.get("request_pending"):
        # Inside a complaint a request is answered in one turn: what it would need to ask waits until after.
        turn = RequestTurn()
        turn.say("requests.after_complaint")
        turn.finish()
    return turn


def _answer(
    catalogue: Catalogue, lookup: CaseLookup, request: str, state: RequestState, message: RequestMessage
) -> RequestTurn:
    if request == "order_status":
        return order_status.answer(catalogue, state, message)
    if request == "cancel_order":
        return cancellation.answer(catalogue, state, message)
    if request == "return_item":
        return returns.answer(catalogue, state, message)
    if request == "request_callback":
        return callback.answer(catalogue, state, message)
    if request == "refund_status":
        return refunds.answer(lookup, state, message)
    turn = contact.answer(catalogue, message.text)
    turn.finish()
    return turn


def carry_on(
    source: Catalogue | Store,
    slots: Mapping[str, Any],
    sender_id: str,
    text: str,
    intent: Optional[str],
    entities: Optional[list[dict[str, Any]]] = None,
    find_case: Optional[CaseLookup] = None,
) -> RequestTurn:
    """The customer's answer to what a request asked (an order number, an e-mail, yes / no, a time...)."""
    state = RequestState.from_slots(slots, sender_id)
    if state.request not in REQUESTS or intent in DROP_INTENTS:
        turn = RequestTurn()
        turn.say("requests.dropped")
        turn.finish()
        return turn
    return answer(source, str(state.request), slots, sender_id, text, intent, entities, find_case=find_case)


def is_a_fault(source: Catalogue | Store, text: str) -> bool:
    """True when a "can I return it?" message describes a fault: the complaint flow takes it."""
    catalogue, _ = _sources(source, None)
    return returns.is_a_fault(catalogue, RequestMessage(text or "", "return_item", catalogue.today()))


def late_complaint(source: Catalogue | Store, slots: Mapping[str, Any]) -> Turn:
    """The customer wants the overdue order as a late-delivery complaint: the form starts with it filled in."""
    catalogue, _ = _sources(source, None)
    turn = Turn()
    turn.slots.update(order_status.late_complaint_slots(catalogue, slots.get("request_subject")))
    turn.say("orders.late_complaint_started")
    return turn


def decline_late_complaint() -> RequestTurn:
    """The customer does not want a late-delivery complaint now."""
    turn = RequestTurn()
    turn.say("orders.no_complaint_now")
    turn.finish()
    turn.slots["late_offer"] = False
    return turn
