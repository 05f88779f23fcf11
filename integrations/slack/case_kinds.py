"""Cases that are not faults on the triage cards: what each kind is called and what staff must do about it.

Personal data stays off the cards beyond the customer's name and e-mail they always showed: a call-back card
says when to call and that the number is on the case page, never the number itself.
"""

from __future__ import annotations

from typing import Any

from integrations.slack.markup import neutralise

# What each kind of case is called on a card, and what staff must do about a request that is not a fault.
KIND_LABELS = {
    "complaint": "complaint",
    "cancellation": "order cancellation request",
    "return": "change-of-mind return",
    "callback": "call-back request",
    "enquiry": "enquiry",
}
KIND_ICONS = {
    "cancellation": ":no_entry_sign:",
    "return": ":leftwards_arrow_with_hook:",
    "callback": ":telephone_receiver:",
}


def case_kind(case: dict[str, Any]) -> str:
    """The case's kind (``complaint`` when the case JSON predates kinds)."""
    return str(case.get("kind") or "complaint")


def staff_task(case: dict[str, Any]) -> str:
    """What staff must do for a request that is not a fault ("" for a complaint: the card's buttons say it).

    A call-back names when to call in the customer's own words; the number itself stays on the case page.
    """
    kind, order = case_kind(case), neutralise(case.get("order_number") or "", 80)
    of_order = f" order *{order}*" if order else " the order (no order number given: ask the customer)"
    if kind == "cancellation":
        return (
            f":no_entry_sign: *To do:* cancel{of_order} if it has not been dispatched, refund the customer and confirm "
            "to them; if it has already gone, tell them how to return it."
        )
    if kind == "return":
        return (
            f":leftwards_arrow_with_hook: *To do:* send the customer the returns instructions for{of_order}; refund "
            "within 14 days of getting it back (or of their proof of posting)."
        )
    if kind == "callback":
        when = neutralise(case.get("callback_at") or "", 120) or "as soon as you can (no time given)"
        return (
            f":telephone_receiver: *To do:* ring the customer back *{when}*. The phone number is on the case page "
            "(dashboard), not on this card."
        )
    if kind == "enquiry":
        return ":grey_question: *To do:* answer the customer's question (below)."
    return ""
