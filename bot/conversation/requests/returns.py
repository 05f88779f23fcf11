"""Request: a change-of-mind return, under the returns policy (``data/policy/returns.yml``).

Within the 14-day cancellation period for goods bought online (Consumer Contracts Regulations 2013): the
customer's rights (who pays return postage, the refund within 14 days, where to send it). Within the shop's
own policy: its conditions. Closed: said kindly, with a person offered. Going ahead opens a ``return`` case.
A message that really describes a fault is a complaint instead (:func:`is_a_fault`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from bot.conversation.catalogue import Catalogue, CatalogueUnavailable, OrderFacts
from bot.conversation.replies import said_button
from bot.conversation.requests.order_lookup import verified_order
from bot.conversation.requests.state import CaseRequest, RequestMessage, RequestState, RequestTurn, day
from bot.conversation.wording import say
from bot.patterns import is_no, is_yes

if TYPE_CHECKING:
    from bot.policy import ReturnsPolicy

REQUEST = "return_item"
# Faults a return question can describe ("they split after a week, can I return them?"): a complaint, with
# the customer's statutory rights. Not liking the colour or the fit is a change of mind.
FAULTS = frozenset(
    {"stitching", "sole_separation", "heel_detachment", "upper_damage", "leather_finish", "hardware",
     "lining_insole", "odour_or_stain", "damaged_in_transit", "wrong_item"}
)  # fmt: skip
NO_FAULT_ABOVE = 0.6


def is_a_fault(catalogue: Catalogue, message: RequestMessage) -> bool:
    """True when the message describes a fault, not a change of mind (the complaint flow takes it)."""
    reading = catalogue.understand(message.text, message.today)
    if reading.no_fault is not None and reading.no_fault >= NO_FAULT_ABOVE:
        return False
    return reading.defect_category in FAULTS


def answer(catalogue: Catalogue, state: RequestState, message: RequestMessage) -> RequestTurn:
    """Explain the return route for the customer's order and offer to start the return."""
    turn = RequestTurn()
    if state.asked == "confirm":
        return _confirmed(catalogue, state, message, turn)
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is None:
        return turn
    turn.finish()
    explain(catalogue, order, message.today, turn, offer=not state.in_complaint)
    return turn


def explain(catalogue: Catalogue, order: OrderFacts, today: dt.date, turn: RequestTurn, offer: bool = True) -> None:
    """What the returns policy allows for ``order`` today; with ``offer``, ask whether to start the return."""
    try:
        policy = catalogue.returns_policy()
    except (CatalogueUnavailable, OSError, ValueError):
        turn.say("requests.unavailable")
        return
    contact = catalogue.contact()
    delivered = order.delivery_date if order.delivered else None
    window = policy.window(delivered, today) if delivered else "cancellation_period"
    item = order.product.name
    if window == "closed":
        assert delivered is not None
        turn.say("returns.closed", [said_button("returns.talk_to_someone", "request_human")], product_name=item,
                 delivered=day(delivered), own_days=policy.own_policy_days)  # fmt: skip
        return
    if window == "cancellation_period":
        turn.say("returns.cancellation_period", product_name=item, days=policy.cancellation_days,
                 until=_until(policy, delivered), postage=_postage(policy),
                 refund_days=policy.refund_within_days, refund_method=policy.refund_method,
                 address=contact.returns_address)  # fmt: skip
    else:
        assert delivered is not None
        turn.say("returns.own_policy", product_name=item, until=_until(policy, delivered),
                 own_days=policy.own_policy_days, conditions=policy.own_policy_conditions,
                 postage=_postage(policy), address=contact.returns_address)  # fmt: skip
    if offer:
        turn.say("returns.offer", [said_button("requests.yes", "affirm"), said_button("requests.no", "deny")])
        turn.wait(f"{REQUEST}:confirm", order.order_number)


def _until(policy: ReturnsPolicy, delivered: Optional[dt.date]) -> str:
    """The last day of the cancellation period, in words."""
    if delivered is None:
        return say("returns.from_delivery", days=policy.cancellation_days)
    return day(policy.cancellation_ends(delivered))


def _postage(policy: ReturnsPolicy) -> str:
    return say("returns.postage_shop") if policy.return_postage == "shop" else say("returns.postage_customer")


def _confirmed(catalogue: Catalogue, state: RequestState, message: RequestMessage, turn: RequestTurn) -> RequestTurn:
    """The answer to "shall I start the return?"."""
    turn.finish()
    if message.intent == "deny" or is_no(message.text) or not (message.intent == "affirm" or is_yes(message.text)):
        turn.say("returns.not_now")
        return turn
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is None:
        return turn
    turn.finish()
    address = catalogue.contact().returns_address
    turn.case = CaseRequest(
        kind="return",
        description=say("returns.record", order_number=order.order_number, product_name=order.product.name),
        confirm="returns.logged",
        confirm_values={"address": address},
        order=order,
        customer_email=order.customer_email or None,
        customer_name=order.customer_name,
        key=f"return:{order.order_number}",
    )
    return turn
