"""Request: where is my order? Ordered on, dispatched on (carrier, tracking), expected or delivered on.

Not yet due: when it is expected. Overdue: an apology and the offer of a late-delivery complaint (the complaint
form, with the order and ``late_delivery`` filled in). Delivered but never received: a complaint case
(``late_delivery``, resolution ``investigation``) for the team to investigate with the carrier.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Optional

from bot.conversation.catalogue import Catalogue, CatalogueUnavailable, OrderFacts
from bot.conversation.replies import said_button
from bot.conversation.requests.order_lookup import verified_order
from bot.conversation.requests.state import CaseRequest, RequestMessage, RequestState, RequestTurn, day
from bot.conversation.wording import say
from bot.patterns import is_no, is_yes

REQUEST = "order_status"
# "it says delivered but I never got it", "hasn't arrived", "not received": the parcel never reached them.
_NOT_RECEIVED = re.compile(
    r"\b(?:never (?:got|received|arrived|came|turned up)|(?:not|never) (?:been )?(?:received|delivered)|"
    r"(?:hasn'?t|has not|didn'?t|did not|haven'?t|have not) (?:got|received|arrived|come|turned up|been delivered)|"
    r"not (?:here|arrived)|nowhere to be found|missing parcel|lost parcel)",
    re.IGNORECASE,
)


def says_not_received(text: str) -> bool:
    """True when the customer says the parcel never reached them."""
    return bool(_NOT_RECEIVED.search(text or ""))


def answer(catalogue: Catalogue, state: RequestState, message: RequestMessage) -> RequestTurn:
    """Answer "where is my order?" (asking for the order number or e-mail first when needed)."""
    turn = RequestTurn()
    if state.asked == "not_received":
        return _not_received_answer(state, message, catalogue, turn)
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is None:
        return turn
    turn.finish()
    describe(order, catalogue, message, turn, state.in_complaint)
    return turn


def describe(
    order: OrderFacts, catalogue: Catalogue, message: RequestMessage, turn: RequestTurn, in_complaint: bool = False
) -> None:
    """Where ``order`` is, in words; what is offered next (a complaint, an investigation) goes on ``turn``."""
    today = message.today
    lines = [say("orders.placed", order_number=order.order_number, product_name=order.product.name,
                 ordered=day(order.order_date))]  # fmt: skip
    if order.status == "cancelled":
        turn.say("orders.answer", text=" ".join([*lines, say("orders.cancelled")]))
        return
    lines += _dispatch_lines(order)
    if order.delivered:
        delivered = day(order.delivery_date) if order.delivery_date else say("orders.recently")
        lines.append(say("orders.delivered", delivered=delivered))
        turn.say("orders.answer", text=" ".join(lines))
        if says_not_received(message.text) and not in_complaint:
            turn.case = investigation(order, catalogue)
        elif not in_complaint:
            turn.say("orders.offer_not_received", _yes_no())
            turn.wait(f"{REQUEST}:not_received", order.order_number)
        return
    expected = order.expected_delivery_date
    if expected is not None and expected < today:
        lines.append(say("orders.overdue", expected=day(expected)))
        turn.say("orders.answer", text=" ".join(lines))
        if not in_complaint:
            turn.say("orders.offer_late_complaint", _yes_no())
            turn.slots.update({"late_offer": True, "request_subject": order.order_number})
        return
    if expected is not None:
        lines.append(say("orders.expected", expected=day(expected)))
    else:
        lines.append(say("orders.no_expected_date"))
    turn.say("orders.answer", text=" ".join(lines))


def _dispatch_lines(order: OrderFacts) -> list[str]:
    if not order.dispatched:
        return [say("orders.not_dispatched")]
    lines = []
    if order.dispatch_date and order.carrier:
        lines.append(say("orders.dispatched_with", dispatched=day(order.dispatch_date), carrier=order.carrier))
    elif order.dispatch_date:
        lines.append(say("orders.dispatched", dispatched=day(order.dispatch_date)))
    if order.tracking_number:
        lines.append(say("orders.tracking", tracking_number=order.tracking_number))
    return lines


def _yes_no() -> list[dict[str, str]]:
    return [said_button("requests.yes", "affirm"), said_button("requests.no", "deny")]


def investigation(order: OrderFacts, catalogue: Catalogue) -> CaseRequest:
    """A complaint for the team to investigate with the carrier: shown as delivered, never received."""
    delivered = day(order.delivery_date) if order.delivery_date else say("orders.recently")
    return CaseRequest(
        kind="complaint",
        description=say("orders.not_received_record", order_number=order.order_number, delivered=delivered),
        confirm="orders.investigation_logged",
        order=order,
        defect_category="late_delivery",
        resolution_type="investigation",
        resolution_reason=say("orders.not_received_reason"),
        customer_email=order.customer_email or None,
        customer_name=order.customer_name,
        key=f"not_received:{order.order_number}",
    )


def _not_received_answer(
    state: RequestState, message: RequestMessage, catalogue: Catalogue, turn: RequestTurn
) -> RequestTurn:
    """The answer to "shall I ask the team to investigate with the carrier?"."""
    turn.finish()
    yes = message.intent == "affirm" or is_yes(message.text) or says_not_received(message.text)
    if not yes or message.intent == "deny" or is_no(message.text):
        turn.say("orders.glad_it_arrived")
        return turn
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is not None:
        turn.finish()
        turn.case = investigation(order, catalogue)
    return turn


def late_complaint_slots(catalogue: Catalogue, order_number: Optional[str]) -> dict[str, Any]:
    """The complaint slots for a late-delivery complaint about ``order_number`` (the form asks the rest)."""
    slots: dict[str, Any] = {"defect_category": "late_delivery", "late_offer": False, "complaint_id": uuid.uuid4().hex}
    slots.update({"request_subject": None, "request_pending": False, "request_step": None})
    try:
        order = catalogue.order(order_number) if order_number else None
    except CatalogueUnavailable:
        order = None
    if order is None:
        return slots
    slots.update(order.as_slots())
    expected = order.expected_delivery_date
    text = say("orders.late_record", order_number=order.order_number,
               expected=day(expected) if expected else say("orders.no_date"))  # fmt: skip
    slots["description"] = text
    return slots
