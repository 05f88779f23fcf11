"""Steps: the resolution the customer chooses from what the policy offers, and their go-ahead."""

from __future__ import annotations

from bot.conversation.catalogue import Catalogue
from bot.conversation.state import ComplaintState
from bot.conversation.steps.context import Answer
from bot.conversation.steps.dates import parse_date
from bot.patterns import is_no, is_yes
from bot.policy import Proposal, choose
from bot.vocabulary import RESOLUTION_TYPES


def current_proposal(catalogue: Catalogue, state: ComplaintState) -> Proposal:
    """The resolution options this complaint is entitled to under the policy."""
    today = catalogue.today()
    delivered = parse_date(state.delivery_date) or parse_date(state.purchase_date)
    if delivered is not None and delivered > today:
        delivered = None  # a date in the future is a misunderstanding; let staff check it
    return catalogue.policy().propose(
        defect_category=state.defect_category or "other",
        delivered_on=delivered,
        today=today,
        product_category=state.product_category or "",
        safety_issue=bool(state.safety_issue),
    )


def resolution_reason(catalogue: Catalogue, state: ComplaintState) -> str:
    """Why the chosen resolution was offered (stored on the case)."""
    proposal = current_proposal(catalogue, state)
    option = proposal.option(state.resolution_choice or "")
    return option.reason if option else proposal.explanation


def check_resolution(value: object) -> str | None:
    """A valid resolution type or None."""
    return value if isinstance(value, str) and value in RESOLUTION_TYPES else None


def handle_resolution_choice(answer: Answer) -> None:
    """One of the options offered (a button or in words); otherwise the options again."""
    proposal = current_proposal(answer.catalogue, answer.state)
    chosen = answer.message.entity("resolution_choice")
    option = choose(proposal, chosen) if chosen else choose(proposal, answer.message.text)
    if option is not None:
        answer.turn.slots["resolution_choice"] = option.type
        return
    answer.bump("resolution_choice")
    offered = ", ".join(o.label.lower() for o in proposal.options)
    answer.turn.say("resolve.offer_again", offered=offered)


def handle_resolution_accepted(answer: Answer) -> None:
    """Yes (go ahead), another option named instead, or no (choose again)."""
    state, message, turn = answer.state, answer.message, answer.turn
    if message.intent == "affirm" or is_yes(message.text):
        turn.slots["resolution_accepted"] = True
        return
    proposal = current_proposal(answer.catalogue, state)
    other = choose(proposal, message.entity("resolution_choice") or message.text) if message.intent != "deny" else None
    if other is not None and other.type != state.resolution_choice:
        turn.slots["resolution_choice"] = other.type
        return
    if message.intent == "deny" or is_no(message.text):
        turn.slots["resolution_choice"] = None
        turn.say("confirm.options_again")
        return
    answer.bump("resolution_accepted")
    turn.say("confirm.yes_or_no")
