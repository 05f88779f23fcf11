"""The complaint conversation: Listen, Understand, Resolve, Confirm.

Pure business logic over a dict of slot values. Rasa actions call these functions and turn
the result into events; nothing here knows about Rasa.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from bot.cases.availability import lookups_missed, tolerant
from bot.cases.models import Order
from bot.cases.priority import assess_severity
from bot.cases.store import Store
from bot.cases.vocabulary import COMPONENTS, DEFECT_CATEGORIES, RESOLUTION_TYPES
from bot.conversation import texts
from bot.conversation.understanding import understand
from bot.nlp.extraction import Extraction
from bot.policy.resolution import Proposal, ResolutionPolicy, choose, load_policy

NO_ORDER = "none"
UNKNOWN = "unknown"
MAX_DESCRIPTION = 10_000
MAX_UNDERSTOOD = 5_000
MAX_TRIES = 3

# Slots that belong to one complaint; cleared when it is logged or cancelled.
COMPLAINT_SLOTS = (
    "complaint_id",
    "description",
    "order_number",
    "order_lookup",
    "order_candidates",
    "order_attempts",
    "product",
    "product_name",
    "product_category",
    "colour",
    "size",
    "defect_category",
    "defect_candidates",
    "secondary_defect_category",
    "product_conflict",
    "component",
    "purchase_date",
    "delivery_date",
    "safety_issue",
    "injury_reported",
    "summary_confirmed",
    "resolution_options",
    "resolution_choice",
    "resolution_accepted",
    "retries",
)

# Intents that mean the customer wants something other than answering the form's question.
LEAVE_FORM_INTENTS = frozenset({"cancel", "request_human", "check_status"})
# Words that really ask about a case; without them a "status question" in the middle of a complaint is an answer
# the intent model misread (a name such as "Robert'); DROP TABLE cases;--", "Casey Case").
_ASKS_ABOUT_A_CASE = re.compile(
    r"\b(?:CS-?\d{4}|status|progress|update|reference|ref\b|(?:my|the|our|that) (?:case|complaint)|"
    r"case (?:number|ref)|what'?s happening|where (?:is|are|'s) (?:it|my|the))",
    re.IGNORECASE,
)


def asks_about_a_case(text: str) -> bool:
    """True when the words ask about a case (a reference, "status", "my case"...), not only the intent model."""
    return bool(_ASKS_ABOUT_A_CASE.search(text or ""))
ASIDE_INTENTS = frozenset({"chitchat", "out_of_scope", "bot_challenge", "greet", "goodbye", "thank"})

_DONT_KNOW = re.compile(
    r"\b(don'?t know|do not know|dunno|no idea|not sure|can'?t (?:find|remember)|cannot (?:find|remember)|"
    r"lost (?:it|the|my)|don'?t have (?:it|the|one|an?)|haven'?t got (?:it|the|one|an?)|no receipt|unsure)\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^\s*(y|yes|yeah|yep|yup|correct|right|that'?s right|ok|okay|sure|please do|go ahead|yes please)\b", re.I
)
_NO = re.compile(r"^\s*(n|no|nope|nah|not really|that'?s wrong|wrong|incorrect)\b", re.I)
_NEGATED = re.compile(
    r"\b(?:not|isn'?t|wasn'?t|rather than|instead of)\s+(?:the|a|an|my|on the|in the)?\s*([a-z]+(?:\s+[a-z]+)?)", re.I
)
_NAME_PREFIX = re.compile(
    r"^\s*(?:hi|hello)?[,!.\s]*(?:my name is|my name's|name'?s|i am|i'm|im|it'?s|this is|call me)\s+", re.I
)
_NAME_OK = re.compile(r"^[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_.'’-]*){0,5}\.?$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ORDERISH = re.compile(r"\b(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]{3,30}\b")
_SOMETHING_ELSE = re.compile(
    r"^\s*(?:it'?s\s+)?(?:something else|none of (?:these|those|them|the above)|neither(?: of them)?|other|"
    r"something different)\b",
    re.I,
)
_ORDER_ITEM = re.compile(r"\b(?:the )?(?:one|item|thing) (?:on|in|from) (?:the|my) order\b|\bwhat i ordered\b", re.I)
_NAMED_WORD = re.compile(r"[a-z]+")
_NAME_FILLER = frozenset({"the", "my", "a", "an", "of", "and", "with", "for", "boot", "boots", "shoe", "shoes"})
MAX_CANDIDATES = 3


@dataclass
class Reply:
    """One bot message, with optional quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Turn:
    """What one step of the conversation changes (slots) and says (replies)."""

    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)

    def say(self, text: str, buttons: Optional[list[dict[str, str]]] = None) -> None:
        """Add a reply."""
        self.replies.append(Reply(text, buttons or []))


def _button(title: str, intent: str, **entities: str) -> dict[str, str]:
    payload = "/" + intent
    if entities:
        import json

        payload += json.dumps(entities, separators=(",", ":"))
    return {"title": title, "payload": payload}


@lru_cache(maxsize=4)
def _policy(path: Path) -> ResolutionPolicy:
    return load_policy(path)


def policy_for(store: Store) -> ResolutionPolicy:
    """The resolution policy configured for this store."""
    return _policy(store.settings.resolution_policy_file)


# ---------------------------------------------------------------- understanding


def _order_facts(order: Order) -> dict[str, Any]:
    product = order.product
    customer = order.customer
    facts: dict[str, Any] = {
        "order_number": order.order_number,
        "product": product.sku,
        "product_name": product.name,
        "product_category": product.category,
        "purchase_date": order.order_date.isoformat(),
    }
    if order.delivery_date:
        facts["delivery_date"] = order.delivery_date.isoformat()
    if order.colour:
        facts["colour"] = order.colour
    if order.size:
        facts["size"] = order.size
    if customer is not None and customer.erased_at is None:
        if customer.name:
            facts["customer_name"] = customer.name
        if customer.email:
            facts["customer_email"] = customer.email
    return facts


def facts_from_text(store: Store, text: str, today: dt.date) -> tuple[dict[str, Any], Extraction]:
    """Slot values the text (and the order it names) tells us."""
    extraction = understand(store, text[:MAX_UNDERSTOOD], today)
    facts: dict[str, Any] = {}
    if extraction.order_number:
        number = extraction.order_number
        found = tolerant(lambda: _order_facts_for(store, number), None)
        if found is None:  # the database is unavailable: keep the number as given; checked when the case is logged
            facts.update(order_number=number, order_unchecked=True)
        else:
            facts.update(found)
    if extraction.sku and facts.get("product") not in (None, extraction.sku):
        # The customer names a different item from the one on the order: never pick one silently;
        # the conversation asks which it is about (see ``ask("product_conflict")``).
        _raise_product_conflict(store, facts, extraction.sku, extraction.product_name)
    if extraction.sku and "product" not in facts and "product_conflict" not in facts:
        facts["product"] = extraction.sku
        facts["product_name"] = extraction.product_name
        sku = extraction.sku
        category = tolerant(lambda: _product_category(store, sku), None)
        if category is not None:
            facts["product_category"] = category
    if extraction.defect_category:
        facts["defect_category"] = extraction.defect_category
    secondary = extraction.secondary_defect_category
    if secondary in DEFECT_CATEGORIES and secondary not in (extraction.defect_category, "other"):
        facts["secondary_defect_category"] = secondary
    if extraction.component:
        facts["component"] = extraction.component
        primary_part = texts.DEFAULT_COMPONENT.get(extraction.defect_category or "")
        if secondary and primary_part and extraction.component == texts.DEFAULT_COMPONENT.get(secondary):
            # "the sole is coming away and the stitching has gone": the part named belongs to the other fault
            facts["component"] = primary_part
    if extraction.colour and "colour" not in facts:
        facts["colour"] = extraction.colour
    if extraction.size and "size" not in facts:
        facts["size"] = extraction.size
    if extraction.purchase_date:
        facts["purchase_date"] = extraction.purchase_date
        facts.pop("delivery_date", None) if "order_number" not in facts else None
    if extraction.email and "customer_email" not in facts:
        facts["customer_email"] = extraction.email.lower()
    return facts, extraction


def _order_facts_for(store: Store, number: str) -> dict[str, Any]:
    """Slot values of order ``number`` ({} when there is no such order)."""
    with store.unit_of_work() as uow:
        order = uow.catalogue.order(number)
        return _order_facts(order) if order is not None else {}


def _product_category(store: Store, sku: str) -> Optional[str]:
    with store.unit_of_work() as uow:
        product = uow.catalogue.product(sku)
        return product.category if product is not None else None


def _named_product(store: Store, sku: str) -> tuple[Optional[str], Optional[str]]:
    """(category, name) of catalogue item ``sku``, (None, None) when unknown."""
    with store.unit_of_work() as uow:
        named = uow.catalogue.product(sku)
        return (named.category, named.name) if named is not None else (None, None)


def _product_option(sku: Optional[str], name: Optional[str], category: Optional[str]) -> dict[str, Any]:
    return {"sku": sku, "name": name or sku, "category": category or ""}


def _raise_product_conflict(store: Store, facts: dict[str, Any], named_sku: str, named_name: Optional[str]) -> None:
    """The customer named one catalogue item and an order for another: keep both and ask (never switch silently).

    The order's item (and its colour and size, which belong to it) leave ``facts``; ``product_conflict`` holds
    both choices until the customer picks one.
    """
    unknown: tuple[Optional[str], Optional[str]] = (None, None)
    named_category, catalogue_name = tolerant(lambda: _named_product(store, named_sku), unknown)
    named_name = named_name or catalogue_name or named_sku
    ordered = _product_option(facts.get("product"), facts.get("product_name"), facts.get("product_category"))
    for detail in ("colour", "size"):
        if facts.get(detail):
            ordered[detail] = facts[detail]
    facts["product_conflict"] = {
        "order_number": facts.get("order_number"),
        "named": _product_option(named_sku, named_name, named_category),
        "ordered": ordered,
        "chosen": None,
    }
    for key in ("product", "product_name", "product_category", "colour", "size"):
        facts.pop(key, None)


def conflict_pending(slots: Mapping[str, Any]) -> bool:
    """True while the customer has still to say which of two items (named vs. ordered) the complaint is about."""
    conflict = slots.get("product_conflict")
    return isinstance(conflict, Mapping) and not conflict.get("chosen")


def offered_candidates(slots: Mapping[str, Any]) -> list[str]:
    """The likeliest defect categories to offer as buttons (the model was unsure), best first."""
    found: list[str] = []
    for candidate in slots.get("defect_candidates") or []:
        category = candidate.get("category") if isinstance(candidate, Mapping) else candidate
        if category in DEFECT_CATEGORIES and category != "other" and category not in found:
            found.append(category)
    return found[:MAX_CANDIDATES]


def _candidates_of(extraction: Extraction) -> Optional[list[dict[str, Any]]]:
    found = [
        {"category": c.get("category"), "confidence": c.get("confidence")}
        for c in extraction.defect_candidates
        if c.get("category") in DEFECT_CATEGORIES and c.get("category") != "other"
    ]
    return found[:MAX_CANDIDATES] or None


def _fill_missing(slots: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if slots.get(k) in (None, "", UNKNOWN) and v not in (None, "")}


def _complete_category(slots: Mapping[str, Any], updates: dict[str, Any]) -> None:
    """Fill a component implied by the category, and keep heel/sole categories consistent."""
    merged = {**slots, **updates}
    category = merged.get("defect_category")
    component = merged.get("component")
    secondary = merged.get("secondary_defect_category")
    if component == "heel" and category == "sole_separation":
        updates["defect_category"] = "heel_detachment"
    elif component == "sole" and category == "heel_detachment":
        updates["defect_category"] = "sole_separation"
    category = updates.get("defect_category", category)
    if secondary and secondary == category:
        updates["secondary_defect_category"] = None
    if category in texts.DEFAULT_COMPONENT and not component:
        updates["component"] = texts.DEFAULT_COMPONENT[category]
    if (
        category
        and category not in texts.COMPONENT_BUTTONS
        and category not in texts.DEFAULT_COMPONENT
        and not component
    ):
        updates["component"] = "n/a"


def _append_description(slots: Mapping[str, Any], text: str) -> str:
    current = (slots.get("description") or "").strip()
    text = text.strip()
    if not text or text in current:
        return current
    combined = f"{current}\n{text}" if current else text
    return combined[:MAX_DESCRIPTION]


def _safety(slots: Mapping[str, Any], updates: Mapping[str, Any], extraction: Optional[Extraction] = None) -> bool:
    merged = {**slots, **updates}
    severity = assess_severity(merged.get("description") or "", merged.get("defect_category"), merged.get("component"))
    return bool(severity.safety_issue or merged.get("safety_issue"))


# ---------------------------------------------------------------- listen


def acknowledge(store: Store, slots: Mapping[str, Any], text: str) -> Turn:
    """Hear the story, empathise, apologise and take ownership; keep every fact it gives."""
    turn = Turn()
    today = store.clock().date()
    text = (text or "").strip()
    if not slots.get("complaint_id"):
        turn.slots["complaint_id"] = uuid.uuid4().hex
    facts, extraction = facts_from_text(store, text, today)
    updates = _fill_missing(slots, facts)
    if text:
        updates["description"] = _append_description(slots, text)
    _complete_category(slots, updates)
    if not {**slots, **updates}.get("defect_category"):
        # The model is unsure: keep its likeliest readings to offer them when the form asks what's wrong.
        candidates = _candidates_of(extraction)
        if candidates:
            updates["defect_candidates"] = candidates
    safety = _safety(slots, updates, extraction)
    updates["safety_issue"] = safety
    turn.slots.update(updates)
    merged = {**slots, **updates}
    category = merged.get("defect_category")
    product = merged.get("product_name")
    if category:
        about = f"your {product}" if product else "your order"
        heard = f"Thank you for telling me about {texts.category_label(category)} with {about}."
        empathy = texts.EMPATHY.get(category, "")
    else:
        heard = "Thank you for getting in touch."
        empathy = ""
    apology = "I'm really sorry about this."
    ownership = "I'll take care of it from here and make sure it's put right."
    turn.say(" ".join(part for part in (heard, empathy, apology, ownership) if part))
    if safety:
        turn.say(
            "Because this could be a safety issue, I've flagged it for a member of our team to contact you "
            "as a priority. Please stop wearing or using the item in the meantime."
        )
    return turn


# ---------------------------------------------------------------- understand


def required_slots(slots: Mapping[str, Any]) -> list[str]:
    """The form's questions for this complaint, in order."""
    order: list[str] = []
    if slots.get("order_lookup") == "by_email" and not slots.get("order_number"):
        order.append("customer_email")
    order.append("order_number")
    if slots.get("product_conflict"):
        order.append("product_conflict")
    order += ["product", "defect_category"]
    category = slots.get("defect_category")
    if category in texts.COMPONENT_BUTTONS or not category:
        order.append("component")
    order += ["purchase_date", "customer_name", "customer_email"]
    if slots.get("safety_issue"):
        order.append("injury_reported")
    order += ["summary_confirmed", "resolution_choice", "resolution_accepted"]
    seen: list[str] = []
    for name in order:
        if name not in seen:
            seen.append(name)
    return seen


def next_slot(slots: Mapping[str, Any]) -> Optional[str]:
    """The next question to ask, or None when the complaint is ready to log."""
    for name in required_slots(slots):
        if name == "product_conflict":
            if conflict_pending(slots):
                return name
            continue
        if slots.get(name) is None:
            return name
    return None


def all_questions() -> list[str]:
    """Every question the complaint form can ask (one ``action_ask_<slot>`` each)."""
    return required_slots({"safety_issue": True, "order_lookup": "by_email", "product_conflict": {"chosen": None}})


def _bump(slots: Mapping[str, Any], turn: Turn, name: str) -> int:
    retries = dict(slots.get("retries") or {})
    retries[name] = int(retries.get(name, 0)) + 1
    turn.slots["retries"] = retries
    return retries[name]


def _entity(entities: list[dict[str, Any]], name: str) -> Optional[str]:
    for entity in entities or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def handle_answer(
    store: Store,
    slots: Mapping[str, Any],
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
    entities = entities or []
    today = store.clock().date()
    if intent in LEAVE_FORM_INTENTS:
        return None
    turn = Turn()
    if not text:
        turn.say("It looks like that message was empty.")
        _bump(slots, turn, requested or "empty")
        return turn
    facts, extraction = facts_from_text(store, text, today)
    if intent in ASIDE_INTENTS and not facts and requested not in ("customer_name",):
        return None
    handler = _HANDLERS.get(requested or "")
    if handler is not None:
        handler(store, slots, turn, text, intent, entities, facts, extraction, today)
    # Anything else the customer volunteered fills gaps (never overwrites an answer).
    extra = _fill_missing({**slots, **turn.slots}, facts)
    if requested in ("summary_confirmed", "resolution_choice", "resolution_accepted"):
        extra = {}
    turn.slots.update(extra)
    if (
        intent in ("report_problem", "inform")
        and requested in ("product", "defect_category", "component")
        and len(text) > 25
        and not text.startswith("/")  # a button's payload, not the customer's words
    ):
        turn.slots["description"] = _append_description(slots, text)
    _complete_category(slots, turn.slots)
    merged = {**slots, **turn.slots}
    if not slots.get("safety_issue") and _safety(slots, turn.slots, extraction):
        turn.slots["safety_issue"] = True
        turn.say(
            "Because this could be a safety issue, I've flagged it for a member of our team "
            "to contact you as a priority."
        )
    facts_changed = any(
        k in turn.slots for k in ("defect_category", "purchase_date", "delivery_date", "product", "order_number")
    )
    if "resolution_options" not in turn.slots and facts_changed and merged.get("resolution_options") is not None:
        # an earlier proposal is stale once the facts change
        turn.slots["resolution_options"] = None
        turn.slots["resolution_choice"] = None
        turn.slots["resolution_accepted"] = None
    if not turn.slots:
        # Keep the form going (an unanswered question is asked again) rather than dropping the message.
        _bump(slots, turn, requested or "unknown")
    return turn


def _h_order_number(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    chosen = _entity(entities, "order_number")
    if chosen:
        if chosen == NO_ORDER:
            turn.slots["order_number"] = NO_ORDER
            turn.say("No problem, I'll log it without an order number.")
            return
        facts.update(facts_from_text(store, chosen, today)[0])
    if facts.get("order_number"):
        _conflict_with_named(store, slots, facts)
        turn.slots.update({k: v for k, v in facts.items() if k in _ORDER_FIELDS})
        if "product_conflict" in facts:
            turn.slots["product_conflict"] = facts["product_conflict"]
        turn.slots["order_candidates"] = None
        if facts.get("order_unchecked"):
            turn.say(f"Thanks, I've noted order {facts['order_number']}; I'll check its details when I log your case.")
        else:
            turn.say(f"Thanks, I've found order {facts['order_number']} ({facts.get('product_name') or 'your item'}).")
        return
    candidates = slots.get("order_candidates") or []
    if candidates:
        named = [c for c in candidates if facts.get("product") and c.get("sku") == facts.get("product")]
        if len(named) == 1:
            facts.update(facts_from_text(store, named[0]["order_number"], today)[0])
            turn.slots.update({k: v for k, v in facts.items() if k in _ORDER_FIELDS})
            turn.slots["order_candidates"] = None
            turn.say(f"Thanks, that's order {named[0]['order_number']}.")
            return
        if intent == "dont_know" or _DONT_KNOW.search(text) or _bump(slots, turn, "order_number") >= 2:
            turn.slots["order_number"] = NO_ORDER
            turn.slots["order_candidates"] = None
            turn.say("No problem, I'll log it without an order number and our team will match it up.")
        return
    if intent == "dont_know" or _DONT_KNOW.search(text):
        if slots.get("customer_email") and slots.get("order_lookup") != "by_email":
            _lookup_by_email(store, slots, turn, slots["customer_email"])
        else:
            turn.slots["order_lookup"] = "by_email"
            turn.say("No problem, I can look your order up by the email address you used.")
        return
    candidate = _ORDERISH.search(text)
    tries = _bump(slots, turn, "order_number")
    if candidate and lookups_missed():  # orders cannot be checked right now: note it as given
        turn.slots["order_number"] = candidate.group(0)
        turn.say(f"Thanks, I've noted order {candidate.group(0)}; I'll check its details when I log your case.")
        return
    if candidate:
        if tries >= 2:
            turn.slots["order_number"] = candidate.group(0)
            turn.say(
                f"I still can't find order {candidate.group(0)}, so I've noted it as you gave it "
                "and our team will check it."
            )
        else:
            turn.say(
                f"I can't find an order {candidate.group(0)}. Please check it (it's in your order confirmation email), "
                "or say \"I don't know\" and I'll look it up by email."
            )
        return
    if tries >= MAX_TRIES:
        turn.slots["order_number"] = NO_ORDER
        turn.say("Let's carry on without the order number; our team can find it later.")


_ORDER_FIELDS = (
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


def _conflict_with_named(store: Store, slots: Mapping[str, Any], facts: dict[str, Any]) -> None:
    """The customer named one item earlier and the order found is for another: ask, don't switch."""
    named = slots.get("product")
    if (
        named not in (None, "", UNKNOWN)
        and facts.get("product") not in (None, named)
        and "product_conflict" not in facts
    ):
        _raise_product_conflict(store, facts, str(named), slots.get("product_name"))


def _orders_of(store: Store, email: str) -> list[dict[str, Any]]:
    with store.unit_of_work() as uow:
        return [_order_facts(o) for o in uow.catalogue.orders_for_email(email)[:6]]


def _lookup_by_email(store: Store, slots: Mapping[str, Any], turn: Turn, email: str) -> None:
    found = tolerant(lambda: _orders_of(store, email), None)
    if found is None:  # the database is unavailable: carry on; the team matches the order up later
        turn.slots["order_lookup"] = "done"
        turn.slots["order_number"] = NO_ORDER
        turn.say("I can't look up your orders right now, so I'll note your email and our team will match it up.")
        return
    turn.slots["order_lookup"] = "done"
    if len(found) == 1:
        order_name = found[0]["product_name"]
        _conflict_with_named(store, slots, found[0])
        turn.slots.update({k: v for k, v in found[0].items() if k in _ORDER_FIELDS})
        if "product_conflict" in found[0]:
            turn.slots["product_conflict"] = found[0]["product_conflict"]
        turn.say(f"I've found your order {found[0]['order_number']} ({order_name}).")
    elif found:
        turn.slots["order_candidates"] = [
            {
                "order_number": f["order_number"],
                "sku": f["product"],
                "label": f"{f['order_number']}: {f['product_name']} ({f['purchase_date']})",
            }
            for f in found
        ]
        turn.slots["order_number"] = None
    else:
        turn.slots["order_number"] = NO_ORDER
        turn.say("I couldn't find any orders under that email address, so I'll log this without an order number.")


def _h_customer_email(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    match = _EMAIL.search(text)
    if not match:
        tries = _bump(slots, turn, "customer_email")
        if tries >= MAX_TRIES and slots.get("order_lookup") == "by_email":
            turn.slots["order_number"] = NO_ORDER
            turn.slots["order_lookup"] = "done"
        turn.say("That doesn't look like an email address. Please type it like name@example.com.")
        return
    email = match.group(0).lower()
    turn.slots["customer_email"] = email
    if slots.get("order_lookup") == "by_email" and not slots.get("order_number"):
        _lookup_by_email(store, slots, turn, email)


def _h_product(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    if facts.get("product"):
        turn.slots["product"] = facts["product"]
        turn.slots["product_name"] = facts.get("product_name")
        if facts.get("product_category"):
            turn.slots["product_category"] = facts["product_category"]
        return
    cleaned = re.sub(r"\s+", " ", text)[:120]
    if len(cleaned) < 2 or intent in ("affirm", "deny"):
        _bump(slots, turn, "product")
        turn.say('Sorry, which item is it? For example "black Chelsea boots" or "the brown satchel".')
        return
    # Not in the catalogue: keep the customer's own words so nothing is lost.
    turn.slots["product"] = UNKNOWN
    turn.slots["product_name"] = cleaned


def _h_defect_category(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    offered = offered_candidates(slots)
    chosen = _entity(entities, "defect_category")
    if chosen not in DEFECT_CATEGORIES:
        chosen = facts.get("defect_category") or _named_candidate(text, offered)
    if chosen not in DEFECT_CATEGORIES and offered and _SOMETHING_ELSE.search(text):
        chosen = "other"
    if chosen in DEFECT_CATEGORIES:
        turn.slots["defect_category"] = chosen
        turn.slots["defect_candidates"] = None
        if chosen == "other" and offered:
            turn.say("Thanks. I've kept your description in your own words, so our team will see exactly what's wrong.")
        return
    tries = _bump(slots, turn, "defect_category")
    turn.slots["description"] = _append_description(slots, text)
    if tries >= 2:
        turn.slots["defect_category"] = "other"
        turn.slots["defect_candidates"] = None
        turn.say("Thanks, I've noted that in your own words.")
        return
    candidates = _candidates_of(extraction)
    if candidates:
        # What they just said is the best evidence: offer its likeliest readings next time.
        turn.slots["defect_candidates"] = candidates


def _named_candidate(text: str, offered: list[str]) -> Optional[str]:
    """An offered category the customer typed by its button title ("the sole coming away", "sole separation")."""
    lowered = " ".join(text.lower().replace("_", " ").split())
    for category in offered:
        names = {category.replace("_", " "), texts.category_label(category).lower()}
        if any(name and name in lowered for name in names):
            return category
    return None


def _h_product_conflict(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    conflict = dict(slots.get("product_conflict") or {})
    named, ordered = conflict.get("named") or {}, conflict.get("ordered") or {}
    options = [o for o in (named, ordered) if o.get("sku")]
    if not options:
        turn.slots["product_conflict"] = None
        return
    wanted = _entity(entities, "product") or extraction.sku
    pick = next((o for o in options if wanted and o["sku"] == wanted), None)
    if pick is None and _ORDER_ITEM.search(text):
        pick = ordered
    if pick is None:
        pick = _option_named(text, options)
    if pick is None:
        if _bump(slots, turn, "product_conflict") < MAX_TRIES:
            turn.say("Sorry, I didn't catch which one.")
            return
        # Still unclear: go with what the customer named, say so, and leave both for our team.
        pick = named
        turn.slots["description"] = _append_description(
            slots,
            f"(The customer named the {named.get('name')}; order {conflict.get('order_number')} "
            f"is for the {ordered.get('name')}.)",
        )
    turn.slots["product"] = pick["sku"]
    turn.slots["product_name"] = pick.get("name")
    turn.slots["product_category"] = pick.get("category") or None
    if pick is ordered:
        for detail in ("colour", "size"):
            if ordered.get(detail) and not slots.get(detail):
                turn.slots[detail] = ordered[detail]
    conflict["chosen"] = pick["sku"]
    turn.slots["product_conflict"] = conflict
    turn.say(f"Thanks, I'll log it for the {pick.get('name')}.")


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


def _h_component(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    chosen = _entity(entities, "component")
    if chosen in COMPONENTS or chosen == "n/a":
        turn.slots["component"] = chosen
        return
    named = facts.get("component") or _part_named(extraction)
    if named:
        turn.slots["component"] = named
        return
    if intent == "dont_know" or _DONT_KNOW.search(text) or _bump(slots, turn, "component") >= 2:
        turn.slots["component"] = "n/a"


def _h_purchase_date(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    if facts.get("purchase_date"):
        turn.slots["purchase_date"] = facts["purchase_date"]
        return
    # the answer to "when did you buy them?": any date that is not in the future ("last Tuesday", "in March")
    answered = [d["date"] for d in extraction.dates if d.get("date") and str(d["date"]) <= today.isoformat()]
    if answered:
        turn.slots["purchase_date"] = answered[0]
        return
    if intent == "dont_know" or _DONT_KNOW.search(text) or _bump(slots, turn, "purchase_date") >= MAX_TRIES:
        turn.slots["purchase_date"] = UNKNOWN
        turn.say("That's fine, our team will check the date.")
        return
    turn.say('Sorry, I couldn\'t work out the date. You can say something like "3 weeks ago" or "12 March".')


def _h_customer_name(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    name = _NAME_PREFIX.sub("", text).strip().strip(".!")
    name = re.sub(r"\s+", " ", name)
    if 1 < len(name) <= 80 and _NAME_OK.match(name):
        turn.slots["customer_name"] = " ".join(part[:1].upper() + part[1:] for part in name.split(" "))
        return
    if _bump(slots, turn, "customer_name") >= MAX_TRIES:
        turn.slots["customer_name"] = UNKNOWN
        return
    turn.say("Sorry, I didn't catch your name. What should I call you?")


def _h_injury(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    if intent == "affirm" or _YES.search(text) or extraction.injury:
        turn.slots["injury_reported"] = "yes"
        turn.say("I'm so sorry. I've marked your case as urgent and a person will call you about it.")
    elif intent == "deny" or _NO.search(text):
        turn.slots["injury_reported"] = "no"
        turn.say("I'm glad nobody was hurt.")
    elif _bump(slots, turn, "injury_reported") >= 2:
        turn.slots["injury_reported"] = UNKNOWN


def _part_named(extraction: Extraction) -> Optional[str]:
    """The one part the text names (as an answer: "the heel"), even when it names no fault."""
    if extraction.component:
        return extraction.component
    parts = [p for p in dict.fromkeys(extraction.components) if p in COMPONENTS]
    return parts[0] if len(parts) == 1 else None


def _strip_negated(text: str) -> str:
    return _NEGATED.sub(" ", text)


def _h_summary(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    corrected, reading = facts_from_text(store, _strip_negated(text), today)
    corrected.pop("product_conflict", None)
    part = _part_named(reading)
    if part and not corrected.get("component"):
        corrected["component"] = part  # "it's the heel": a part named alone, with no fault, corrects the part
    if intent == "affirm" and not corrected:
        turn.slots["summary_confirmed"] = True
        return
    if corrected:
        if corrected.get("order_number") and corrected["order_number"] != slots.get("order_number"):
            updates = {k: v for k, v in corrected.items() if k in _ORDER_FIELDS}
        else:
            updates = {k: v for k, v in corrected.items() if k not in ("customer_name",)}
        if "defect_category" in updates and "component" not in updates:
            updates["component"] = None
        new_primary = updates.get("defect_category")
        if new_primary and new_primary == {**slots, **updates}.get("secondary_defect_category"):
            # "it's the stitching, not the sole": the second fault becomes the main one, not both
            updates["secondary_defect_category"] = None
        turn.slots.update(updates)
        if "component" in updates and "defect_category" not in updates:
            _complete_category(slots, turn.slots)
        turn.slots["summary_confirmed"] = None
        turn.say("Thanks, I've corrected that.")
        return
    email = _EMAIL.search(text)
    if email:
        turn.slots["customer_email"] = email.group(0).lower()
        turn.say("Thanks, I've corrected your email address.")
        return
    name = re.search(r"\bname (?:is|should be)\s+(.+)$", text, re.I)
    if name:
        turn.slots["customer_name"] = name.group(1).strip().strip(".")[:80]
        turn.say("Thanks, I've corrected your name.")
        return
    if intent == "deny" or _NO.search(text):
        _bump(slots, turn, "summary_confirmed")
        turn.say(
            'What should I change? Tell me in your own words, for example "it\'s the heel, not the sole" '
            'or "the order number is ...".'
        )
        return
    _bump(slots, turn, "summary_confirmed")
    turn.say("Sorry, is the summary right? Please say yes, or tell me what to change.")


def _h_resolution_choice(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    proposal = current_proposal(store, slots)
    chosen = _entity(entities, "resolution_choice")
    option = choose(proposal, chosen) if chosen else choose(proposal, text)
    if option is not None:
        turn.slots["resolution_choice"] = option.type
        return
    _bump(slots, turn, "resolution_choice")
    offered = ", ".join(o.label.lower() for o in proposal.options)
    turn.say(f"For this case I can offer: {offered}. Which would you like? You can also ask for a person.")


def _h_resolution_accepted(
    store: Store,
    slots: Mapping[str, Any],
    turn: Turn,
    text: str,
    intent: Optional[str],
    entities: list[dict[str, Any]],
    facts: dict[str, Any],
    extraction: Extraction,
    today: dt.date,
) -> None:
    if intent == "affirm" or _YES.search(text):
        turn.slots["resolution_accepted"] = True
        return
    proposal = current_proposal(store, slots)
    other = choose(proposal, _entity(entities, "resolution_choice") or text) if intent != "deny" else None
    if other is not None and other.type != slots.get("resolution_choice"):
        turn.slots["resolution_choice"] = other.type
        return
    if intent == "deny" or _NO.search(text):
        turn.slots["resolution_choice"] = None
        turn.say("No problem, let's look at the options again.")
        return
    _bump(slots, turn, "resolution_accepted")
    turn.say("Please say yes to go ahead, or no to choose something else.")


_HANDLERS = {
    "order_number": _h_order_number,
    "customer_email": _h_customer_email,
    "product_conflict": _h_product_conflict,
    "product": _h_product,
    "defect_category": _h_defect_category,
    "component": _h_component,
    "purchase_date": _h_purchase_date,
    "customer_name": _h_customer_name,
    "injury_reported": _h_injury,
    "summary_confirmed": _h_summary,
    "resolution_choice": _h_resolution_choice,
    "resolution_accepted": _h_resolution_accepted,
}


# ---------------------------------------------------------------- questions


def _parse_date(value: Any) -> Optional[dt.date]:
    if not value or value == UNKNOWN:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _pretty_date(value: Any) -> str:
    day = _parse_date(value)
    return f"{day.day} {day:%B %Y}" if day else "not known"


def summary(slots: Mapping[str, Any]) -> str:
    """The read-back of the facts gathered so far."""
    order = slots.get("order_number")
    product = slots.get("product_name") or "not known"
    detail = ", ".join(str(slots[k]) for k in ("colour", "size") if slots.get(k))
    if detail:
        product = f"{product} ({detail})"
    component = slots.get("component")
    problem = texts.category_label(slots.get("defect_category"))
    if component and component not in ("n/a", UNKNOWN) and component not in problem:
        problem += f" (the {component})"
    secondary = slots.get("secondary_defect_category")
    if secondary and secondary != slots.get("defect_category"):
        problem += f"; also: {texts.category_label(secondary)}"
    lines = [
        "Here's what I have so far:",
        f"- Order: {order if order and order != NO_ORDER else 'no order number'}",
        f"- Item: {product}",
        f"- Problem: {problem}",
        f"- Bought: {_pretty_date(slots.get('purchase_date'))}"
        + (
            f", delivered {_pretty_date(slots.get('delivery_date'))}" if _parse_date(slots.get("delivery_date")) else ""
        ),
        f"- Name: {slots.get('customer_name') or 'not given'}",
        f"- Email: {slots.get('customer_email') or 'not given'}",
    ]
    if slots.get("injury_reported") in ("yes", "no"):
        lines.append(f"- Anyone hurt: {slots['injury_reported']}")
    lines.append("Is that all correct?")
    return "\n".join(lines)


def current_proposal(store: Store, slots: Mapping[str, Any]) -> Proposal:
    """The resolution options this complaint is entitled to under the policy."""
    today = store.clock().date()
    delivered = _parse_date(slots.get("delivery_date")) or _parse_date(slots.get("purchase_date"))
    if delivered is not None and delivered > today:
        delivered = None  # a date in the future is a misunderstanding; let staff check it
    return policy_for(store).propose(
        defect_category=slots.get("defect_category") or "other",
        delivered_on=delivered,
        today=today,
        product_category=slots.get("product_category") or "",
        safety_issue=bool(slots.get("safety_issue")),
    )


def ask(store: Store, slot: str, slots: Mapping[str, Any]) -> Turn:
    """The question for ``slot``."""
    turn = Turn()
    if slot == "order_number":
        candidates = slots.get("order_candidates") or []
        if candidates:
            buttons = [_button(c["label"], "inform", order_number=c["order_number"]) for c in candidates]
            buttons.append(_button("None of these", "inform", order_number=NO_ORDER))
            turn.say("I found these orders under your email address. Which one is it about?", buttons)
        else:
            turn.say(
                "What's your order number? You'll find it in your order confirmation email. "
                "If you don't have it, just say so.",
                [_button("I don't know it", "dont_know")],
            )
    elif slot == "customer_email":
        if slots.get("order_lookup") == "by_email" and not slots.get("order_number"):
            turn.say("What email address did you use for the order?")
        else:
            turn.say("What's the best email address to reach you on?")
    elif slot == "product":
        turn.say('Which item is it about? For example "black Chelsea boots" or "the brown satchel".')
    elif slot == "product_conflict":
        conflict = slots.get("product_conflict") or {}
        named, ordered = conflict.get("named") or {}, conflict.get("ordered") or {}
        turn.say(
            f"Just to check: you mentioned the {named.get('name')}, but order {conflict.get('order_number')} "
            f"is for the {ordered.get('name')}. Which of the two is your complaint about?",
            [
                _button(str(option.get("name")), "inform", product=str(option.get("sku")))
                for option in (named, ordered)
                if option.get("sku")
            ],
        )
    elif slot == "defect_category":
        offered = offered_candidates(slots)
        if offered:
            buttons = [_button(texts.category_title(c), "inform", defect_category=c) for c in offered]
            buttons.append(_button("Something else", "inform", defect_category="other"))
            turn.say(
                "I want to be sure I've understood. What's wrong with it? Is it one of these, "
                "or something else? You can also tell me in your own words.",
                buttons,
            )
        else:
            buttons = [_button(texts.humanise(c), "inform", defect_category=c) for c in texts.CATEGORY_BUTTONS]
            turn.say("What's wrong with it? Tell me in your own words, or pick one:", buttons)
    elif slot == "component":
        parts = texts.COMPONENT_BUTTONS.get(
            slots.get("defect_category") or "", ("sole", "heel", "upper", "stitching", "lining")
        )
        buttons = [_button(p.capitalize(), "inform", component=p) for p in parts]
        buttons.append(_button("Not sure", "inform", component="n/a"))
        turn.say("Which part is affected?", buttons)
    elif slot == "purchase_date":
        turn.say('When did you buy it, or when did it arrive? A rough date is fine, like "three weeks ago".')
    elif slot == "customer_name":
        turn.say("And what's your name, please?")
    elif slot == "injury_reported":
        turn.say("Was anyone hurt?", [_button("Yes", "affirm"), _button("No", "deny")])
    elif slot == "summary_confirmed":
        turn.say(summary(slots), [_button("Yes, that's right", "affirm"), _button("No, change something", "deny")])
    elif slot == "resolution_choice":
        proposal = current_proposal(store, slots)
        turn.slots["resolution_options"] = [o.as_dict() for o in proposal.options]
        buttons = [_button(o.label, "choose_resolution", resolution_choice=o.type) for o in proposal.options]
        buttons.append(_button("Talk to a person", "request_human"))
        intro = proposal.explanation
        if proposal.escalate:
            intro += " Because of the safety concern, a member of our team will confirm this with you."
        turn.say(f"{intro}\nWhich would you prefer?", buttons)
    elif slot == "resolution_accepted":
        proposal = current_proposal(store, slots)
        option = proposal.option(slots.get("resolution_choice") or "")
        label = option.label.lower() if option else str(slots.get("resolution_choice"))
        reason = option.reason if option else ""
        turn.say(
            f"To confirm: I'll log your case for a {label}. {reason}\nShall I go ahead?",
            [_button("Yes, go ahead", "affirm"), _button("No, something else", "deny")],
        )
    else:
        turn.say("Could you tell me a bit more?")
    return turn


# ---------------------------------------------------------------- confirm


def reset_complaint() -> dict[str, Any]:
    """Slot values that end one complaint (customer name and email are kept)."""
    return {name: None for name in COMPLAINT_SLOTS}


def resolution_reason(store: Store, slots: Mapping[str, Any]) -> str:
    """Why the chosen resolution was offered (stored on the case)."""
    proposal = current_proposal(store, slots)
    option = proposal.option(slots.get("resolution_choice") or "")
    return option.reason if option else proposal.explanation


def check_resolution(value: Any) -> Optional[str]:
    """A valid resolution type or None."""
    return value if value in RESOLUTION_TYPES else None
