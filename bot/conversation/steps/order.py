"""Step: the order number, or the order looked up by the customer's e-mail address."""

from __future__ import annotations

import re
from typing import Any

from bot.conversation.catalogue import CatalogueUnavailable
from bot.conversation.state import MAX_TRIES, NO_ORDER
from bot.conversation.steps.context import Answer
from bot.conversation.steps.facts import facts_from_text
from bot.conversation.steps.product import conflict_with_named
from bot.conversation.wording import say

ORDERISH = re.compile(r"\b(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]{3,30}\b")

# Slot values an order gives (a newly found order replaces all of them).
ORDER_FIELDS = (
    "order_number",
    "product",
    "product_name",
    "product_category",
    "purchase_date",
    "delivery_date",
    "colour",
    "size",
    "customer_name",
    "customer_email",
)


def _take_order(answer: Answer, found: dict[str, Any]) -> None:
    """Fill the complaint from an order found (asking first if the customer named another item)."""
    conflict_with_named(answer.catalogue, answer.state, found)
    answer.turn.slots.update({k: v for k, v in found.items() if k in ORDER_FIELDS})
    if "product_conflict" in found:
        answer.turn.slots["product_conflict"] = found["product_conflict"]


def handle_order_number(answer: Answer) -> None:
    """An order number (typed or chosen), "I don't know" (look it up by e-mail), or one we cannot find."""
    message, turn = answer.message, answer.turn
    facts = message.facts  # updated in place: what the volunteered facts fill afterwards follows this order
    chosen = message.entity("order_number")
    if chosen:
        if chosen == NO_ORDER:
            turn.slots["order_number"] = NO_ORDER
            turn.say("order.none_chosen")
            return
        facts.update(facts_from_text(answer.catalogue, chosen, message.today)[0])
    if facts.get("order_number"):
        _take_order(answer, facts)
        turn.slots["order_candidates"] = None
        if facts.get("order_unchecked"):
            turn.say("order.noted_unchecked", order_number=facts["order_number"])
        else:
            item = facts.get("product_name") or say("order.unnamed_item")
            turn.say("order.found", order_number=facts["order_number"], product_name=item)
        return
    if answer.state.order_candidates:
        _choose_candidate(answer, facts)
        return
    if answer.dont_know():
        state = answer.state
        if state.customer_email and state.order_lookup != "by_email":
            look_up_by_email(answer, state.customer_email)
        else:
            turn.slots["order_lookup"] = "by_email"
            turn.say("order.look_up_by_email")
        return
    _not_found(answer)


def _choose_candidate(answer: Answer, facts: dict[str, Any]) -> None:
    """An answer to "which of these orders?" (found by e-mail) that is not a button."""
    turn, candidates = answer.turn, answer.state.order_candidates or []
    named = [c for c in candidates if facts.get("product") and c.get("sku") == facts.get("product")]
    if len(named) == 1:
        facts.update(facts_from_text(answer.catalogue, named[0]["order_number"], answer.message.today)[0])
        turn.slots.update({k: v for k, v in facts.items() if k in ORDER_FIELDS})
        turn.slots["order_candidates"] = None
        turn.say("order.candidate_named", order_number=named[0]["order_number"])
        return
    if answer.dont_know() or answer.bump("order_number") >= 2:
        turn.slots["order_number"] = NO_ORDER
        turn.slots["order_candidates"] = None
        turn.say("order.none_matched")


def _not_found(answer: Answer) -> None:
    """Something that may be an order number we cannot find, or nothing like one."""
    turn = answer.turn
    candidate = ORDERISH.search(answer.message.text)
    tries = answer.bump("order_number")
    if candidate and answer.catalogue.lookups_missed():  # orders cannot be checked right now: note it as given
        turn.slots["order_number"] = candidate.group(0)
        turn.say("order.noted_unchecked", order_number=candidate.group(0))
        return
    if candidate:
        if tries >= 2:
            turn.slots["order_number"] = candidate.group(0)
            turn.say("order.still_not_found", order_number=candidate.group(0))
        else:
            turn.say("order.not_found", order_number=candidate.group(0))
        return
    if tries >= MAX_TRIES:
        turn.slots["order_number"] = NO_ORDER
        turn.say("order.carry_on_without")


def look_up_by_email(answer: Answer, email: str) -> None:
    """The customer's orders under ``email``: one is taken, several are offered, none means no order number."""
    turn = answer.turn
    try:
        found = [o.as_slots() for o in answer.catalogue.orders_for_email(email)]
    except CatalogueUnavailable:  # carry on; the team matches the order up later
        turn.slots["order_lookup"] = "done"
        turn.slots["order_number"] = NO_ORDER
        turn.say("order.lookup_unavailable")
        return
    turn.slots["order_lookup"] = "done"
    if len(found) == 1:
        order_name = found[0]["product_name"]
        _take_order(answer, found[0])
        turn.say("order.found_by_email", order_number=found[0]["order_number"], product_name=order_name)
    elif found:
        turn.slots["order_candidates"] = [
            {
                "order_number": f["order_number"],
                "sku": f["product"],
                "label": say(
                    "ask.order_candidate",
                    order_number=f["order_number"],
                    product_name=f["product_name"],
                    purchase_date=f["purchase_date"],
                ),
            }
            for f in found
        ]
        turn.slots["order_number"] = None
    else:
        turn.slots["order_number"] = NO_ORDER
        turn.say("order.none_for_email")
