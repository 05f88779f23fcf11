"""Understand one customer message: the slot values its words (and the order it names) give the complaint."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from bot.cases.priority import assess_severity
from bot.conversation.catalogue import Catalogue, CatalogueUnavailable
from bot.conversation.state import MAX_UNDERSTOOD, ComplaintState, CustomerMessage
from bot.conversation.steps.defect import DEFAULT_COMPONENT
from bot.conversation.steps.product import raise_conflict
from bot.nlp.extraction import Extraction
from bot.vocabulary import DEFECT_CATEGORIES


def _order_facts(catalogue: Catalogue, number: str) -> Optional[dict[str, Any]]:
    """Slot values of order ``number`` ({} when there is no such order, None when it cannot be checked)."""
    try:
        order = catalogue.order(number)
    except CatalogueUnavailable:
        return None
    return order.as_slots() if order is not None else {}


def _product_category(catalogue: Catalogue, sku: str) -> Optional[str]:
    try:
        product = catalogue.product(sku)
    except CatalogueUnavailable:
        return None
    return product.category if product is not None else None


def _defect_facts(extraction: Extraction, facts: dict[str, Any]) -> None:
    if extraction.defect_category:
        facts["defect_category"] = extraction.defect_category
    secondary = extraction.secondary_defect_category
    if secondary in DEFECT_CATEGORIES and secondary not in (extraction.defect_category, "other"):
        facts["secondary_defect_category"] = secondary
    if extraction.component:
        facts["component"] = extraction.component
        primary_part = DEFAULT_COMPONENT.get(extraction.defect_category or "")
        if secondary and primary_part and extraction.component == DEFAULT_COMPONENT.get(secondary):
            # "the sole is coming away and the stitching has gone": the part named belongs to the other fault
            facts["component"] = primary_part


def facts_from_text(catalogue: Catalogue, text: str, today: dt.date) -> tuple[dict[str, Any], Extraction]:
    """Slot values the text (and the order it names) tells us."""
    extraction = catalogue.understand(text[:MAX_UNDERSTOOD], today)
    facts: dict[str, Any] = {}
    if extraction.order_number:
        found = _order_facts(catalogue, extraction.order_number)
        if found is None:  # the database is unavailable: keep the number as given; checked when the case is logged
            facts.update(order_number=extraction.order_number, order_unchecked=True)
        else:
            facts.update(found)
    if extraction.sku and facts.get("product") not in (None, extraction.sku):
        # The customer names a different item from the one on the order: never pick one silently;
        # the conversation asks which it is about (see ``ask("product_conflict")``).
        raise_conflict(catalogue, facts, extraction.sku, extraction.product_name)
    if extraction.sku and "product" not in facts and "product_conflict" not in facts:
        facts["product"] = extraction.sku
        facts["product_name"] = extraction.product_name
        category = _product_category(catalogue, extraction.sku)
        if category is not None:
            facts["product_category"] = category
    _defect_facts(extraction, facts)
    if extraction.colour and "colour" not in facts:
        facts["colour"] = extraction.colour
    if extraction.size and "size" not in facts:
        facts["size"] = extraction.size
    if extraction.purchase_date:
        facts["purchase_date"] = extraction.purchase_date
        if "order_number" not in facts:
            facts.pop("delivery_date", None)
    if extraction.email and "customer_email" not in facts:
        facts["customer_email"] = extraction.email.lower()
    return facts, extraction


def read_message(
    catalogue: Catalogue, text: str, intent: Optional[str], entities: Optional[list[dict[str, Any]]]
) -> CustomerMessage:
    """One customer message with what it says (``text`` already trimmed)."""
    today = catalogue.today()
    facts, extraction = facts_from_text(catalogue, text, today)
    return CustomerMessage(text, intent, list(entities or []), extraction, today, facts)


def is_safety_issue(state: ComplaintState, updates: dict[str, Any]) -> bool:
    """True when what the customer has said (with ``updates``) could be a safety issue."""
    merged = state.merged(updates)
    severity = assess_severity(merged.description or "", merged.defect_category, merged.component)
    return bool(severity.safety_issue or merged.safety_issue)
