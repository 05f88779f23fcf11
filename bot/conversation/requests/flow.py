"""What the actions call for the requests: start one, carry on with one, record the case it opens."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional

from bot.cases import service
from bot.cases.case_query import CaseQuery
from bot.cases.store import Store
from bot.conversation.catalogue import Catalogue, CatalogueUnavailable
from bot.conversation.replies import Turn
from bot.conversation.requests import callback, cancellation, contact, order_status, refunds, returns
from bot.conversation.requests.refunds import CaseLookup, OrderCases
from bot.conversation.requests.state import RequestMessage, RequestState, RequestTurn
from bot.conversation.sql_catalogue import SqlCatalogue
from bot.patterns import find_case_reference

REQUESTS = ("order_status", "cancel_order", "return_item", "request_callback", "ask_contact", "refund_status")
# Intents that mean "never mind" to a question a request asked.
DROP_INTENTS = frozenset({"cancel", "goodbye"})
# Cases about one order a refund question reads (an order has a handful at most).
MAX_CASES_ON_ORDER = 50


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


def store_order_cases(store: Store) -> OrderCases:
    """The cases logged about an order (case JSON with events), oldest first, from the case store."""
    find = store_case_lookup(store)

    def on_order(order_number: str) -> list[Mapping[str, Any]]:
        wanted = order_number.strip().lower()
        listed = service.find_cases(store, CaseQuery(search=order_number.strip(), limit=MAX_CASES_ON_ORDER))
        references = sorted(c["reference"] for c in listed if str(c.get("order_number") or "").lower() == wanted)
        return [case for case in map(find, references) if case is not None]

    return on_order


def _sources(
    source: Catalogue | Store, find_case: Optional[CaseLookup], order_cases: Optional[OrderCases] = None
) -> tuple[Catalogue, CaseLookup, OrderCases]:
    if isinstance(source, Store):
        return SqlCatalogue(source), find_case or store_case_lookup(source), order_cases or store_order_cases(source)
    return source, find_case or (lambda reference: None), order_cases or (lambda order_number: [])


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
    order_cases: Optional[OrderCases] = None,
) -> RequestTurn:
    """Answer ``request`` (one of :data:`REQUESTS`), or the answer to the question it asked.

    ``find_case`` and ``order_cases`` find cases by reference and by order number (default: the store's).
    """
    catalogue, lookup, on_order = _sources(source, find_case, order_cases)
    state = RequestState.from_slots(slots, sender_id, in_complaint)
    if state.request != request:
        state = dataclasses.replace(state, step=None, subject=None, tries=0)
    message = RequestMessage(text or "", intent or request, catalogue.today(), list(entities or []))
    try:
        turn = _answer(catalogue, (lookup, on_order), request, state, message)
    except CatalogueUnavailable:
        turn = RequestTurn()
        turn.say("requests.unavailable")
        turn.finish()
        return turn
    if in_complaint and turn.slots.get("request_pending"):
        # Inside a complaint a request is answered in one turn (the form takes the next message): what it would
        # need to ask for, the answer says how to give with the question.
        return in_complaint_answer(request, turn.slots.get("request_subject"))
    return turn


def in_complaint_answer(request: str, subject: Optional[str]) -> RequestTurn:
    """The one-turn answer inside a complaint to a request that would have to ask for something first.

    A status question is answered as far as it can be without proof of whose order or case it is (a refund on the
    complaint being logged: none agreed yet), with how to get the rest at once: the e-mail address (and number)
    in the same message, which is then answered in one turn. Other requests wait until the complaint is logged.
    """
    turn = RequestTurn()
    turn.finish()
    if request == "order_status":
        if subject:
            turn.say("orders.in_complaint_email", order_number=subject)
        else:
            turn.say("orders.in_complaint")
    elif request == "refund_status":
        if subject and find_case_reference(subject):
            turn.say("refunds.in_complaint_email", reference=subject)
        elif subject:
            turn.say("refunds.in_complaint_order_email", order_number=subject)
        else:
            turn.say("refunds.in_complaint")
    else:
        turn.say("requests.after_complaint")
    return turn


def _answer(
    catalogue: Catalogue,
    lookups: tuple[CaseLookup, OrderCases],
    request: str,
    state: RequestState,
    message: RequestMessage,
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
        return refunds.answer(lookups[0], catalogue, lookups[1], state, message)
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
    order_cases: Optional[OrderCases] = None,
) -> RequestTurn:
    """The customer's answer to what a request asked (an order number, an e-mail, yes / no, a time...)."""
    state = RequestState.from_slots(slots, sender_id)
    # "never mind" drops the request, but "bye, call me tomorrow morning" still answers "when shall we call?"
    answers_anyway = takes_any_words(state.step) and callback.preferred_time(text) is not None
    if state.request not in REQUESTS or (intent in DROP_INTENTS and not answers_anyway):
        turn = RequestTurn()
        turn.say("requests.dropped")
        turn.finish()
        return turn
    return answer(
        source,
        str(state.request),
        slots,
        sender_id,
        text,
        intent,
        entities,
        find_case=find_case,
        order_cases=order_cases,
    )


def is_a_fault(source: Catalogue | Store, text: str) -> bool:
    """True when a "can I return it?" message describes a fault: the complaint flow takes it."""
    catalogue = _sources(source, None)[0]
    return returns.is_a_fault(catalogue, RequestMessage(text or "", "return_item", catalogue.today()))


def late_complaint(source: Catalogue | Store, slots: Mapping[str, Any]) -> Turn:
    """The customer wants the overdue order as a late-delivery complaint: the form starts with it filled in."""
    catalogue = _sources(source, None)[0]
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
