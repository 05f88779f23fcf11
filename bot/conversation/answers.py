"""Read a customer message while the complaint form is active.

The step for the question asked reads it first; then what else the message volunteered fills gaps, the
safety check runs, and a resolution proposal made stale by changed facts is dropped.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import Turn
from bot.conversation.state import ComplaintState, append_description, bump, fill_missing
from bot.conversation.steps.context import Answer
from bot.conversation.steps.customer import handle_customer_email, handle_customer_name
from bot.conversation.steps.dates import handle_purchase_date
from bot.conversation.steps.defect import (
    complete_category,
    handle_component,
    handle_defect_category,
    means_something_else,
    offered_candidates,
)
from bot.conversation.steps.facts import is_safety_issue, read_message
from bot.conversation.steps.injury import handle_injury_reported
from bot.conversation.steps.order import handle_order_number
from bot.conversation.steps.product import handle_product, handle_product_conflict
from bot.conversation.steps.read_back import handle_summary_confirmed
from bot.conversation.steps.resolution import handle_resolution_accepted, handle_resolution_choice
from bot.patterns import CASE_REFERENCE_START

# Intents that mean the customer wants something other than answering the form's question.
LEAVE_FORM_INTENTS = frozenset({"cancel", "request_human", "check_status"})
ASIDE_INTENTS = frozenset(
    {"chitchat", "out_of_scope", "bot_challenge", "greet", "goodbye", "thank"}
    # requests answered on the side (bot/conversation/requests); a message carrying facts still answers the form
    | {"order_status", "cancel_order", "return_item", "request_callback", "ask_contact", "refund_status"}
)
# Facts that change the resolution the customer is entitled to.
_PROPOSAL_FACTS = ("defect_category", "purchase_date", "delivery_date", "product", "order_number")

STEPS: dict[str, Callable[[Answer], None]] = {
    "order_number": handle_order_number,
    "customer_email": handle_customer_email,
    "product_conflict": handle_product_conflict,
    "product": handle_product,
    "defect_category": handle_defect_category,
    "component": handle_component,
    "purchase_date": handle_purchase_date,
    "customer_name": handle_customer_name,
    "injury_reported": handle_injury_reported,
    "summary_confirmed": handle_summary_confirmed,
    "resolution_choice": handle_resolution_choice,
    "resolution_accepted": handle_resolution_accepted,
}


def handle_answer(
    catalogue: Catalogue,
    state: ComplaintState,
    requested: Optional[str],
    text: str,
    intent: Optional[str],
    entities: Optional[list[dict[str, Any]]] = None,
) -> Optional[Turn]:
    """Handle a customer message while the complaint form is active.

    Returns None when the message is not an answer (cancel, a request for a person, a status
    question, small talk): the conversation then leaves or pauses the form.
    """
    text = (text or "").strip()
    if intent in LEAVE_FORM_INTENTS:
        return None
    turn = Turn()
    if not text:
        turn.say("answer.empty")
        bump(state, turn, requested or "empty")
        return turn
    message = read_message(catalogue, text, intent, entities)
    # A status question's own e-mail or order number says whose order it is; only a fault in it answers the form.
    status = intent in ("order_status", "refund_status") and not {"defect_category", "component"} & set(message.facts)
    if intent in ASIDE_INTENTS and (status or not message.facts) and not _answers_anyway(state, requested, text):
        return None
    step = STEPS.get(requested or "")
    if step is not None:
        step(Answer(state, message, catalogue, turn))
    _volunteered(state, turn, requested, message.facts, text, intent)
    _check_safety(state, turn)
    _drop_stale_proposal(state, turn)
    if not turn.slots:
        # Keep the form going (an unanswered question is asked again) rather than dropping the message.
        bump(state, turn, requested or "unknown")
    return turn


def _answers_anyway(state: ComplaintState, requested: Optional[str], text: str) -> bool:
    """True for words the intent model takes for small talk that still answer the question asked.

    A name, or "something else" when likely problems were offered.
    """
    if requested == "customer_name":
        return True
    return requested == "defect_category" and bool(offered_candidates(state)) and means_something_else(text)


def _volunteered(
    state: ComplaintState, turn: Turn, requested: Optional[str], facts: dict[str, Any], text: str, intent: Optional[str]
) -> None:
    """Anything else the customer volunteered fills gaps (never overwrites an answer); long answers are kept."""
    extra = fill_missing(state.merged(turn.slots), facts)
    if requested in ("summary_confirmed", "resolution_choice", "resolution_accepted"):
        extra = {}
    turn.slots.update(extra)
    if (
        intent in ("report_problem", "inform")
        and requested in ("product", "defect_category", "component")
        and len(text) > 25
        and not text.startswith("/")  # a button's payload, not the customer's words
    ):
        turn.slots["description"] = append_description(state, text)
    complete_category(state, turn.slots)


def _check_safety(state: ComplaintState, turn: Turn) -> None:
    if not state.safety_issue and is_safety_issue(state, turn.slots):
        turn.slots["safety_issue"] = True
        turn.say("answer.safety_flagged")


def _drop_stale_proposal(state: ComplaintState, turn: Turn) -> None:
    """An earlier proposal is stale once the facts it was made on change."""
    merged = state.merged(turn.slots)
    facts_changed = any(k in turn.slots for k in _PROPOSAL_FACTS)
    if "resolution_options" not in turn.slots and facts_changed and merged.resolution_options is not None:
        turn.slots["resolution_options"] = None
        turn.slots["resolution_choice"] = None
        turn.slots["resolution_accepted"] = None


# Words that really ask about a case; without them a "status question" in the middle of a complaint is an answer
# the intent model misread (a name such as "Robert'); DROP TABLE cases;--", "Casey Case").
_ASKS_ABOUT_A_CASE = re.compile(
    r"\b(?:status|progress|update|reference|ref\b|(?:my|the|our|that) (?:case|complaint)|"
    r"case (?:number|ref)|what'?s happening|where (?:is|are|'s) (?:it|my|the))",
    re.IGNORECASE,
)


def asks_about_a_case(text: str) -> bool:
    """True when the words ask about a case (a reference, "status", "my case"...), not only the intent model."""
    return CASE_REFERENCE_START.search(text or "") is not None or bool(_ASKS_ABOUT_A_CASE.search(text or ""))
