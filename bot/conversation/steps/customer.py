"""Step: the customer's name and e-mail address (which may also look their order up)."""

from __future__ import annotations

import re

from bot.conversation.state import MAX_TRIES, NO_ORDER, UNKNOWN
from bot.conversation.steps.context import Answer
from bot.conversation.steps.order import look_up_by_email
from bot.patterns import find_email

_NAME_PREFIX = re.compile(
    r"^\s*(?:hi|hello)?[,!.\s]*(?:my name is|my name's|name'?s|i am|i'm|im|it'?s|this is|call me)\s+", re.I
)
_NAME_OK = re.compile(r"^[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_.'’-]*){0,5}\.?$")


def handle_customer_email(answer: Answer) -> None:
    """An e-mail address; while looking the order up by e-mail, the orders under it."""
    state, turn = answer.state, answer.turn
    email = find_email(answer.message.text)
    if not email:
        tries = answer.bump("customer_email")
        if tries >= MAX_TRIES and state.order_lookup == "by_email":
            turn.slots["order_number"] = NO_ORDER
            turn.slots["order_lookup"] = "done"
        turn.say("customer.bad_email")
        return
    email = email.lower()
    turn.slots["customer_email"] = email
    if state.order_lookup == "by_email" and not state.order_number:
        look_up_by_email(answer, email)


def handle_customer_name(answer: Answer) -> None:
    """The customer's name ("my name is ann lee" -> "Ann Lee"); unknown after three tries."""
    name = _NAME_PREFIX.sub("", answer.message.text).strip().strip(".!")
    name = re.sub(r"\s+", " ", name)
    if 1 < len(name) <= 80 and _NAME_OK.match(name):
        answer.turn.slots["customer_name"] = " ".join(part[:1].upper() + part[1:] for part in name.split(" "))
        return
    if answer.bump("customer_name") >= MAX_TRIES:
        answer.turn.slots["customer_name"] = UNKNOWN
        return
    answer.turn.say("customer.name_unclear")
