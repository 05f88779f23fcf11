"""The complaint form: which questions this complaint needs, in order, and which one is next."""

from __future__ import annotations

from typing import Optional

from bot.conversation.state import ComplaintState
from bot.conversation.steps.defect import COMPONENT_BUTTONS
from bot.conversation.steps.product import conflict_pending


def required_slots(state: ComplaintState) -> list[str]:
    """The form's questions for this complaint, in order."""
    order: list[str] = []
    if state.order_lookup == "by_email" and not state.order_number:
        order.append("customer_email")
    order.append("order_number")
    if state.product_conflict:
        order.append("product_conflict")
    order += ["product", "defect_category"]
    category = state.defect_category
    if category in COMPONENT_BUTTONS or not category:
        order.append("component")
    order += ["purchase_date", "customer_name", "customer_email"]
    if state.safety_issue:
        order.append("injury_reported")
    order += ["summary_confirmed", "resolution_choice", "resolution_accepted"]
    seen: list[str] = []
    for name in order:
        if name not in seen:
            seen.append(name)
    return seen


def next_slot(state: ComplaintState) -> Optional[str]:
    """The next question to ask, or None when the complaint is ready to log."""
    for name in required_slots(state):
        if name == "product_conflict":
            if conflict_pending(state):
                return name
            continue
        if state.get(name) is None:
            return name
    return None


def all_questions() -> list[str]:
    """Every question the complaint form can ask (one ``action_ask_<slot>`` each)."""
    every = ComplaintState(safety_issue=True, order_lookup="by_email", product_conflict={"chosen": None})
    return required_slots(every)
