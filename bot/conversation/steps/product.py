"""Step: which item the complaint is about, and the item named vs. the item on the order."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from bot.conversation.catalogue import Catalogue, CatalogueUnavailable
from bot.conversation.state import MAX_TRIES, UNKNOWN, ComplaintState, append_description
from bot.conversation.steps.context import Answer
from bot.conversation.wording import say

_ORDER_ITEM = re.compile(r"\b(?:the )?(?:one|item|thing) (?:on|in|from) (?:the|my) order\b|\bwhat i ordered\b", re.I)
_NAMED_WORD = re.compile(r"[a-z]+")
_NAME_FILLER = frozenset({"the", "my", "a", "an", "of", "and", "with", "for", "boot", "boots", "shoe", "shoes"})


def _option(sku: Optional[str], name: Optional[str], category: Optional[str]) -> dict[str, Any]:
    return {"sku": sku, "name": name or sku, "category": category or ""}


def raise_conflict(catalogue: Catalogue, facts: dict[str, Any], named_sku: str, named_name: Optional[str]) -> None:
    """The customer named one catalogue item and an order for another: keep both and ask (never switch silently).

    The order's item (and its colour and size, which belong to it) leave ``facts``; ``product_conflict`` holds
    both choices until the customer picks one.
    """
    try:
        named = catalogue.product(named_sku)
    except CatalogueUnavailable:
        named = None
    named_name = named_name or (named.name if named else None) or named_sku
    ordered = _option(facts.get("product"), facts.get("product_name"), facts.get("product_category"))
    for detail in ("colour", "size"):
        if facts.get(detail):
            ordered[detail] = facts[detail]
    facts["product_conflict"] = {
        "order_number": facts.get("order_number"),
        "named": _option(named_sku, named_name, named.category if named else None),
        "ordered": ordered,
        "chosen": None,
    }
    for key in ("product", "product_name", "product_category", "colour", "size"):
        facts.pop(key, None)


def conflict_with_named(catalogue: Catalogue, state: ComplaintState, facts: dict[str, Any]) -> None:
    """The customer named one item earlier and the order found is for another: ask, don't switch."""
    named = state.product
    if (
        named not in (None, "", UNKNOWN)
        and facts.get("product") not in (None, named)
        and "product_conflict" not in facts
    ):
        raise_conflict(catalogue, facts, str(named), state.product_name)


def conflict_pending(state: ComplaintState) -> bool:
    """True while the customer has still to say which of two items (named vs. ordered) the complaint is about."""
    conflict = state.product_conflict
    return isinstance(conflict, Mapping) and not conflict.get("chosen")


def handle_product(answer: Answer) -> None:
    """The item, from the catalogue or (not found) in the customer's own words."""
    facts, turn, message = answer.message.facts, answer.turn, answer.message
    if facts.get("product"):
        turn.slots["product"] = facts["product"]
        turn.slots["product_name"] = facts.get("product_name")
        if facts.get("product_category"):
            turn.slots["product_category"] = facts["product_category"]
        return
    cleaned = re.sub(r"\s+", " ", message.text)[:120]
    if len(cleaned) < 2 or message.intent in ("affirm", "deny"):
        answer.bump("product")
        turn.say("product.unclear")
        return
    # Not in the catalogue: keep the customer's own words so nothing is lost.
    turn.slots["product"] = UNKNOWN
    turn.slots["product_name"] = cleaned


def _pick(answer: Answer, options: list[dict[str, Any]], ordered: dict[str, Any]) -> Optional[dict[str, Any]]:
    wanted = answer.message.entity("product") or answer.message.extraction.sku
    pick = next((o for o in options if wanted and o["sku"] == wanted), None)
    if pick is None and _ORDER_ITEM.search(answer.message.text):
        pick = ordered
    return pick if pick is not None else _option_named(answer.message.text, options)


def handle_product_conflict(answer: Answer) -> None:
    """Which of the two items (named, or on the order) the complaint is about."""
    state, turn = answer.state, answer.turn
    conflict = dict(state.product_conflict or {})
    named, ordered = conflict.get("named") or {}, conflict.get("ordered") or {}
    options = [o for o in (named, ordered) if o.get("sku")]
    if not options:
        turn.slots["product_conflict"] = None
        return
    pick = _pick(answer, options, ordered)
    if pick is None:
        if answer.bump("product_conflict") < MAX_TRIES:
            turn.say("product.conflict_unclear")
            return
        # Still unclear: go with what the customer named, say so, and leave both for our team.
        pick = named
        note = say(
            "record.product_conflict_unresolved",
            named=named.get("name"),
            order_number=conflict.get("order_number"),
            ordered=ordered.get("name"),
        )
        turn.slots["description"] = append_description(state, note)
    turn.slots["product"] = pick["sku"]
    turn.slots["product_name"] = pick.get("name")
    turn.slots["product_category"] = pick.get("category") or None
    if pick is ordered:
        for detail in ("colour", "size"):
            if ordered.get(detail) and not state.get(detail):
                turn.slots[detail] = ordered[detail]
    conflict["chosen"] = pick["sku"]
    turn.slots["product_conflict"] = conflict
    turn.say("product.conflict_chosen", product_name=pick.get("name"))


def _option_named(text: str, options: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The one option whose distinctive name words the text uses ("the Harrogate one")."""
    words = set(_NAMED_WORD.findall(text.lower()))
    scores = []
    for option in options:
        name_words = set(_NAMED_WORD.findall(str(option.get("name") or "").lower())) - _NAME_FILLER
        scores.append(len(words & name_words))
    best = max(scores, default=0)
    if best and scores.count(best) == 1:
        return options[scores.index(best)]
    return None
