"""Step: the read-back of the facts gathered, and the corrections the customer makes to it."""

from __future__ import annotations

import re
from typing import Any

from bot.conversation.state import NO_ORDER, UNKNOWN, ComplaintState
from bot.conversation.steps.context import Answer
from bot.conversation.steps.dates import parse_date
from bot.conversation.steps.defect import category_label, complete_category, part_named
from bot.conversation.steps.facts import facts_from_text
from bot.conversation.steps.order import ORDER_FIELDS
from bot.conversation.wording import say
from bot.patterns import find_email, is_no

# What a correction says the complaint is *not* ("it's the heel, not the sole", "X rather than Y"): dropped
# before the correction is read. Narrower than bot.patterns.negated on purpose: "they don't fit" is a
# correction to keep, not a fact to drop.
_NOT_THIS = re.compile(
    r"\b(?:not|isn'?t|wasn'?t|rather than|instead of)\s+(?:the|a|an|my|on the|in the)?\s*([a-z]+(?:\s+[a-z]+)?)", re.I
)
_NAME_CORRECTION = re.compile(r"\bname (?:is|should be)\s+(.+)$", re.I)


def _pretty_date(value: Any) -> str:
    day = parse_date(value)
    return f"{day.day} {day:%B %Y}" if day else say("read_back.not_known")


def _problem(state: ComplaintState) -> str:
    component = state.component
    problem = category_label(state.defect_category)
    if component and component not in ("n/a", UNKNOWN) and component not in problem:
        problem += say("read_back.problem_part", component=component)
    secondary = state.secondary_defect_category
    if secondary and secondary != state.defect_category:
        problem += say("read_back.problem_also", secondary=category_label(secondary))
    return problem


def summary(state: ComplaintState) -> str:
    """The read-back of the facts gathered so far."""
    order = state.order_number
    item = state.product_name or say("read_back.not_known")
    detail = ", ".join(str(state.get(k)) for k in ("colour", "size") if state.get(k))
    if detail:
        item = say("read_back.item_detail", item=item, detail=detail)
    bought = _pretty_date(state.purchase_date)
    if parse_date(state.delivery_date):
        bought += say("read_back.delivered", delivered=_pretty_date(state.delivery_date))
    lines = [
        say("read_back.intro"),
        say("read_back.order", order=order if order and order != NO_ORDER else say("read_back.no_order")),
        say("read_back.item", item=item),
        say("read_back.problem", problem=_problem(state)),
        say("read_back.bought", bought=bought),
        say("read_back.name", name=state.customer_name or say("read_back.not_given")),
        say("read_back.email", email=state.customer_email or say("read_back.not_given")),
    ]
    if state.injury_reported in ("yes", "no"):
        lines.append(say("read_back.anyone_hurt", answer=state.injury_reported))
    lines.append(say("read_back.question"))
    return "\n".join(lines)


def _corrections(answer: Answer) -> dict[str, Any]:
    """The facts a correction gives ("it's the heel, not the sole"), what it says it is not left out."""
    message = answer.message
    corrected, reading = facts_from_text(answer.catalogue, _NOT_THIS.sub(" ", message.text), message.today)
    corrected.pop("product_conflict", None)
    part = part_named(reading)
    if part and not corrected.get("component"):
        corrected["component"] = part  # "it's the heel": a part named alone, with no fault, corrects the part
    return corrected


def _apply(answer: Answer, corrected: dict[str, Any]) -> None:
    state, turn = answer.state, answer.turn
    if corrected.get("order_number") and corrected["order_number"] != state.order_number:
        updates = {k: v for k, v in corrected.items() if k in ORDER_FIELDS}
    else:
        updates = {k: v for k, v in corrected.items() if k not in ("customer_name",)}
    if "defect_category" in updates and "component" not in updates:
        updates["component"] = None
    new_primary = updates.get("defect_category")
    if new_primary and new_primary == state.merged(updates).secondary_defect_category:
        # "it's the stitching, not the sole": the second fault becomes the main one, not both
        updates["secondary_defect_category"] = None
    turn.slots.update(updates)
    if "component" in updates and "defect_category" not in updates:
        complete_category(state, turn.slots)
    turn.slots["summary_confirmed"] = None
    turn.say("read_back.corrected")


def handle_summary_confirmed(answer: Answer) -> None:
    """Yes (the read-back is right), or a correction: a fact, an e-mail address, a name; else ask what to change."""
    message, turn = answer.message, answer.turn
    corrected = _corrections(answer)
    if message.intent == "affirm" and not corrected:
        turn.slots["summary_confirmed"] = True
        return
    if corrected:
        _apply(answer, corrected)
        return
    email = find_email(message.text)
    if email:
        turn.slots["customer_email"] = email.lower()
        turn.say("read_back.corrected_email")
        return
    name = _NAME_CORRECTION.search(message.text)
    if name:
        turn.slots["customer_name"] = name.group(1).strip().strip(".")[:80]
        turn.say("read_back.corrected_name")
        return
    answer.bump("summary_confirmed")
    if message.intent == "deny" or is_no(message.text):
        turn.say("read_back.what_to_change")
        return
    turn.say("read_back.unclear")
