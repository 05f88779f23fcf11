"""Request: where is my refund? From the case's resolution and events, to the case's own customer only.

The case is found by its reference, or by the order number the customer gives instead: then only once the order
is theirs (an e-mail address they typed that is the order's, the same check as order status), and every case on
that order that is also theirs is answered, one after the other.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Mapping, Optional

from bot.conversation.catalogue import Catalogue
from bot.conversation.requests.order_lookup import order_number_in, verified_order
from bot.conversation.requests.ownership import owns
from bot.conversation.requests.state import RequestMessage, RequestState, RequestTurn, day
from bot.conversation.wording import say
from bot.patterns import find_case_reference, find_email

REQUEST = "refund_status"
REFUNDS = frozenset({"refund", "partial_refund"})
OPEN = frozenset({"new", "triaged", "in_progress", "awaiting_customer", "reopened"})

_REFUND_WORDS = re.compile(r"\b(?:refunds?|refund(?:ed|ing)|money back)\b", re.IGNORECASE)

# A case's JSON by reference, None when there is no such case (bot.cases.service.get_case on the store).
CaseLookup = Callable[[str], Optional[Mapping[str, Any]]]
# The JSON (with events) of every case logged about an order, by order number.
OrderCases = Callable[[str], list[Mapping[str, Any]]]


def asks_about_a_refund(text: str) -> bool:
    """True when a question about a case is really about its refund ("any news on my refund for CS-...")."""
    return bool(_REFUND_WORDS.search(text or ""))


def answer(
    find_case: CaseLookup, catalogue: Catalogue, order_cases: OrderCases, state: RequestState, message: RequestMessage
) -> RequestTurn:
    """Whether a refund was agreed on the customer's case(s), and when; asks for the reference or e-mail first."""
    turn = RequestTurn()
    reference = find_case_reference(message.text)
    number = None if reference else order_number_in(catalogue, message, loose=state.asked in ("reference", "order"))
    if reference is None and number is None:
        if state.subject and not find_case_reference(state.subject):
            number = state.subject  # the order being discussed (its e-mail was asked for)
        else:
            reference = state.subject or state.case_reference
    by_email = state.asked in ("reference", "order") and find_email(message.text) is not None
    if number is not None or state.asked == "order" or by_email:  # an order number, or the e-mail it was ordered with
        return _by_order(catalogue, order_cases, state, message, turn)
    if reference is None:
        if state.asked == "reference":
            turn.say("refunds.give_up")
            turn.finish()
        else:
            turn.say("refunds.ask_reference")
            turn.wait(f"{REQUEST}:reference")
        return turn
    return _by_reference(find_case, reference, state, message, turn)


def _by_reference(
    find_case: CaseLookup, reference: str, state: RequestState, message: RequestMessage, turn: RequestTurn
) -> RequestTurn:
    case = find_case(reference)
    if case is None:
        turn.say("refunds.not_found", reference=reference)
        turn.finish()
        return turn
    typed = find_email(message.text)
    email = typed.lower() if typed else state.customer_email
    if not owns(case["customer"]["email"], email, case.get("conversation_id"), state.sender_id):
        if typed or state.asked == "email":
            turn.say("requests.email_mismatch")
            turn.finish()
        else:
            turn.say("refunds.ask_email", reference=case["reference"])
            turn.wait(f"{REQUEST}:email", case["reference"])
        return turn
    turn.finish()
    turn.say("refunds.answer", text=refund_text(case))
    return turn


def _by_order(
    catalogue: Catalogue, order_cases: OrderCases, state: RequestState, message: RequestMessage, turn: RequestTurn
) -> RequestTurn:
    """The refund on each of the customer's cases about the order they named, once the order is theirs."""
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is None:
        return turn
    turn.finish()
    typed = find_email(message.text)
    email = typed.lower() if typed else state.customer_email
    cases = [
        case
        for case in order_cases(order.order_number)
        if owns((case.get("customer") or {}).get("email"), email, case.get("conversation_id"), state.sender_id)
    ]
    if not cases:
        turn.say("refunds.no_case_on_order", order_number=order.order_number)
        return turn
    turn.say("refunds.answer", text=" ".join(refund_text(case) for case in cases))
    return turn


def _event_day(case: Mapping[str, Any], *kinds: str) -> Optional[str]:
    for event in reversed(case.get("events") or []):
        if event.get("kind") in kinds and event.get("at"):
            return day(dt.datetime.fromisoformat(str(event["at"])).date())
    return None


def refund_text(case: Mapping[str, Any]) -> str:
    """No refund agreed, a refund agreed (its type, when), or the case still open: in words."""
    reference, status = case["reference"], case["status"]
    kind = (case.get("resolution") or {}).get("type")
    if kind in REFUNDS:
        label = say(f"refunds.type.{kind}")
        if status in OPEN:
            agreed = _event_day(case, "resolution_agreed", "case_created") or say("refunds.recently")
            return say("refunds.agreed_open", reference=reference, type=label, agreed=agreed)
        resolved = _event_day(case, "resolved") or say("refunds.recently")
        return say("refunds.agreed_resolved", reference=reference, type=label, resolved=resolved)
    if status in OPEN:
        return say("refunds.still_open", reference=reference)
    resolution = (kind or "none").replace("_", " ")
    return say("refunds.no_refund", reference=reference, resolution=resolution)
