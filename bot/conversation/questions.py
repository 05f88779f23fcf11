"""The question the assistant asks for each slot of the complaint form."""

from __future__ import annotations

from typing import Callable

from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import Turn, button, composed, said_button
from bot.conversation.state import NO_ORDER, ComplaintState
from bot.conversation.steps.defect import (
    ANY_PART,
    CATEGORY_BUTTONS,
    COMPONENT_BUTTONS,
    category_title,
    offered_candidates,
)
from bot.conversation.steps.read_back import summary
from bot.conversation.steps.resolution import current_proposal
from bot.conversation.wording import say


def _order_number(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    candidates = state.order_candidates or []
    if candidates:
        buttons = [button(c["label"], "inform", order_number=c["order_number"]) for c in candidates]
        buttons.append(said_button("ask.order_candidate_none", "inform", order_number=NO_ORDER))
        turn.say("ask.order_candidates", buttons)
    else:
        turn.say("ask.order_number", [said_button("ask.order_number_unknown", "dont_know")])


def _customer_email(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    if state.order_lookup == "by_email" and not state.order_number:
        turn.say("ask.order_email")
    else:
        turn.say("ask.customer_email")


def _product_conflict(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    conflict = state.product_conflict or {}
    named, ordered = conflict.get("named") or {}, conflict.get("ordered") or {}
    buttons = [
        button(str(option.get("name")), "inform", product=str(option.get("sku")))
        for option in (named, ordered)
        if option.get("sku")
    ]
    turn.say(
        "ask.product_conflict",
        buttons,
        named=named.get("name"),
        order_number=conflict.get("order_number"),
        ordered=ordered.get("name"),
    )


def _defect_category(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    offered = offered_candidates(state)
    if offered:
        buttons = [button(category_title(c), "inform", defect_category=c) for c in offered]
        buttons.append(said_button("ask.defect_something_else", "inform", defect_category="other"))
        turn.say("ask.defect_candidates", buttons)
    else:
        buttons = [said_button(f"category.button.{c}", "inform", defect_category=c) for c in CATEGORY_BUTTONS]
        turn.say("ask.defect_category", buttons)


def _component(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    parts = COMPONENT_BUTTONS.get(state.defect_category or "", ANY_PART)
    buttons = [said_button(f"component.button.{p}", "inform", component=p) for p in parts]
    buttons.append(said_button("component.button.not_sure", "inform", component="n/a"))
    turn.say("ask.component", buttons)


def _injury_reported(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    turn.say("ask.injury_reported", [said_button("ask.yes", "affirm"), said_button("ask.no", "deny")])


def _summary_confirmed(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    buttons = [said_button("read_back.yes_button", "affirm"), said_button("read_back.no_button", "deny")]
    turn.add(composed("read_back.intro", summary(state), buttons))


def _resolution_choice(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    proposal = current_proposal(catalogue, state)
    turn.slots["resolution_options"] = [o.as_dict() for o in proposal.options]
    buttons = [button(o.label, "choose_resolution", resolution_choice=o.type) for o in proposal.options]
    buttons.append(said_button("resolve.talk_to_a_person", "request_human"))
    explanation = proposal.explanation
    if proposal.escalate:
        explanation += say("resolve.safety_check")
    turn.say("resolve.question", buttons, explanation=explanation)


def _resolution_accepted(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
    proposal = current_proposal(catalogue, state)
    option = proposal.option(state.resolution_choice or "")
    label = option.label.lower() if option else str(state.resolution_choice)
    reason = option.reason if option else ""
    buttons = [said_button("confirm.yes_button", "affirm"), said_button("confirm.no_button", "deny")]
    turn.say("confirm.question", buttons, label=label, reason=reason)


def _fixed(message_id: str) -> Callable[[Turn, ComplaintState, Catalogue], None]:
    def question(turn: Turn, state: ComplaintState, catalogue: Catalogue) -> None:
        turn.say(message_id)

    return question


_QUESTIONS: dict[str, Callable[[Turn, ComplaintState, Catalogue], None]] = {
    "order_number": _order_number,
    "customer_email": _customer_email,
    "product": _fixed("ask.product"),
    "product_conflict": _product_conflict,
    "defect_category": _defect_category,
    "component": _component,
    "purchase_date": _fixed("ask.purchase_date"),
    "customer_name": _fixed("ask.customer_name"),
    "injury_reported": _injury_reported,
    "summary_confirmed": _summary_confirmed,
    "resolution_choice": _resolution_choice,
    "resolution_accepted": _resolution_accepted,
}


def ask(catalogue: Catalogue, slot: str, state: ComplaintState) -> Turn:
    """The question for ``slot`` (and any slots asking it sets, such as the options offered)."""
    turn = Turn()
    _QUESTIONS.get(slot, _fixed("ask.something_more"))(turn, state, catalogue)
    return turn
