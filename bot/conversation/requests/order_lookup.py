"""The order a request is about: named, chosen, or looked up by e-mail, and only for its own customer."""

from __future__ import annotations

from typing import Optional

from bot.conversation.catalogue import Catalogue, CatalogueUnavailable, OrderFacts
from bot.conversation.replies import button
from bot.conversation.requests.ownership import owns
from bot.conversation.requests.state import RequestMessage, RequestState, RequestTurn
from bot.conversation.steps.order import ORDERISH
from bot.patterns import find_email

MAX_TRIES = 2


def order_number_in(catalogue: Catalogue, message: RequestMessage, loose: bool = True) -> Optional[str]:
    """The order number the message names, or None.

    Chosen with a button, known to the shop, or (``loose``) any order-like word (letters and digits) when the
    message holds no e-mail address.
    """
    chosen = message.entity("order_number")
    if chosen:
        return chosen
    found = catalogue.understand(message.text, message.today).order_number
    if found or not loose:
        return found
    candidate = ORDERISH.search(message.text)
    return candidate.group(0) if candidate and not find_email(message.text) else None


def _given_email(state: RequestState, message: RequestMessage) -> Optional[str]:
    typed = find_email(message.text)
    return typed.lower() if typed else state.customer_email


def verified_order(
    catalogue: Catalogue, state: RequestState, message: RequestMessage, request: str, turn: RequestTurn
) -> Optional[OrderFacts]:
    """The order the customer asks about, once it is theirs; otherwise ``turn`` asks for what is missing.

    The order number (typed, chosen, or the one being discussed), else the customer's orders under their
    e-mail address. Details go only to the order's customer: the e-mail given must be the order's.
    """
    email = _given_email(state, message)
    number = order_number_in(catalogue, message) or state.subject or state.complaint_order
    try:
        if number is None:
            return _by_email(catalogue, state, email, request, turn)
        order = catalogue.order(number)
    except CatalogueUnavailable:
        turn.say("requests.unavailable")
        turn.finish()
        return None
    if order is None:
        _not_found(state, number, request, turn)
        return None
    if owns(order.customer_email, email):
        if email and email != state.customer_email:
            turn.slots["customer_email"] = email
        return order
    if email and find_email(message.text):
        turn.say("requests.email_mismatch")
        turn.finish()
        return None
    turn.say("requests.ask_email", order_number=order.order_number)
    turn.wait(f"{request}:email", order.order_number)
    return None


def _by_email(
    catalogue: Catalogue, state: RequestState, email: Optional[str], request: str, turn: RequestTurn
) -> Optional[OrderFacts]:
    if not email:
        if state.asked == "order" and state.tries >= MAX_TRIES - 1:
            turn.say("requests.give_up")
            turn.finish()
            return None
        turn.say("requests.ask_order")
        turn.wait(f"{request}:order", tries=state.tries + 1 if state.asked == "order" else 0)
        return None
    orders = catalogue.orders_for_email(email)
    if not orders:
        turn.say("requests.no_orders_for_email")
        turn.finish()
        return None
    if len(orders) == 1:
        if email != state.customer_email:
            turn.slots["customer_email"] = email
        return orders[0]
    buttons = [button(o.order_number, "inform", order_number=o.order_number) for o in orders]
    turn.say("requests.which_order", buttons)
    turn.slots["customer_email"] = email
    turn.wait(f"{request}:order")
    return None


def _not_found(state: RequestState, number: str, request: str, turn: RequestTurn) -> None:
    if state.asked == "order" and state.tries >= MAX_TRIES - 1:
        turn.say("requests.order_still_not_found", order_number=number)
        turn.finish()
        return
    turn.say("requests.order_not_found", order_number=number)
    turn.wait(f"{request}:order", tries=state.tries + 1 if state.asked == "order" else 1)
