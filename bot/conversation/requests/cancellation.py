"""Request: cancel an order (not "stop" for the complaint, which is ``cancel``).

Not yet dispatched: a ``cancellation`` case for staff, confirmed with its reference. Dispatched or delivered:
it cannot be stopped, so the return route under the returns policy is explained (and a return offered).
"""

from __future__ import annotations

from bot.conversation.catalogue import Catalogue
from bot.conversation.requests import returns
from bot.conversation.requests.order_lookup import verified_order
from bot.conversation.requests.state import CaseRequest, RequestMessage, RequestState, RequestTurn
from bot.conversation.wording import say

REQUEST = "cancel_order"


def answer(catalogue: Catalogue, state: RequestState, message: RequestMessage) -> RequestTurn:
    """Cancel the customer's order if it has not left yet; otherwise explain how to return it."""
    turn = RequestTurn()
    order = verified_order(catalogue, state, message, REQUEST, turn)
    if order is None:
        return turn
    turn.finish()
    if order.status == "cancelled":
        turn.say("cancel_order.already", order_number=order.order_number)
        return turn
    if order.dispatched:
        turn.say("cancel_order.too_late", order_number=order.order_number)
        returns.explain(catalogue, order, message.today, turn, offer=not state.in_complaint)
        return turn
    turn.case = CaseRequest(
        kind="cancellation",
        description=say("cancel_order.record", order_number=order.order_number, product_name=order.product.name),
        confirm="cancel_order.logged",
        confirm_values={"order_number": order.order_number},
        order=order,
        customer_email=order.customer_email or None,
        customer_name=order.customer_name,
        key=f"cancellation:{order.order_number}",
    )
    return turn
