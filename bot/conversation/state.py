"""The complaint as typed values: :class:`ComplaintState` (the slots) and :class:`CustomerMessage` (one message).

Rasa keeps slots as a flat mapping; the steps of the conversation read them through these types instead
of passing a dict and nine arguments around. What a step changes is collected in a
:class:`~bot.conversation.replies.Turn` (``turn.slots``), which the actions turn into ``SlotSet`` events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from bot.conversation.replies import Turn
from bot.nlp.extraction import Extraction

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


@dataclass(frozen=True)
class ComplaintState:
    """The complaint slots (and the customer's name and e-mail, kept across complaints)."""

    complaint_id: Optional[str] = None
    description: Optional[str] = None
    order_number: Optional[str] = None
    order_lookup: Optional[str] = None
    order_candidates: Optional[list[dict[str, Any]]] = None
    order_attempts: Any = None
    product: Optional[str] = None
    product_name: Optional[str] = None
    product_category: Optional[str] = None
    colour: Optional[str] = None
    size: Optional[str] = None
    defect_category: Optional[str] = None
    defect_candidates: Optional[list[Any]] = None
    secondary_defect_category: Optional[str] = None
    product_conflict: Optional[dict[str, Any]] = None
    component: Optional[str] = None
    purchase_date: Optional[str] = None
    delivery_date: Optional[str] = None
    safety_issue: Optional[bool] = None
    injury_reported: Optional[str] = None
    summary_confirmed: Optional[bool] = None
    resolution_options: Optional[list[dict[str, Any]]] = None
    resolution_choice: Optional[str] = None
    resolution_accepted: Optional[bool] = None
    retries: Optional[dict[str, int]] = None
    customer_name: Optional[str] = None
    customer_email: Optional[str] = None

    @classmethod
    def slot_names(cls) -> tuple[str, ...]:
        """Every slot this state holds."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> ComplaintState:
        """The state held in Rasa's ``slots`` (other slots are ignored)."""
        return cls(**{name: slots.get(name) for name in cls.slot_names()})

    def get(self, name: str) -> Any:
        """The value of slot ``name`` (None for a slot this state does not hold)."""
        return getattr(self, name, None)

    def merged(self, changes: Mapping[str, Any]) -> ComplaintState:
        """The state with ``changes`` (slot values from a turn) applied."""
        known = {k: v for k, v in changes.items() if k in self.slot_names()}
        return dataclasses.replace(self, **known)

    def as_slots(self) -> dict[str, Any]:
        """The slot values, as Rasa keeps them."""
        return {name: getattr(self, name) for name in self.slot_names()}

    def changed_slots(self, before: ComplaintState) -> dict[str, Any]:
        """The slots whose value differs from ``before``."""
        return {k: v for k, v in self.as_slots().items() if before.get(k) != v}


@dataclass(frozen=True)
class CustomerMessage:
    """One customer message as the conversation reads it."""

    text: str
    intent: Optional[str]
    entities: list[dict[str, Any]]
    extraction: Extraction
    today: dt.date
    facts: dict[str, Any] = field(default_factory=dict)  # slot values the text (and the order it names) gives

    def entity(self, name: str) -> Optional[str]:
        """The value of entity ``name`` (set by a button), or None."""
        for entity in self.entities or []:
            if entity.get("entity") == name and entity.get("value"):
                return str(entity["value"])
        return None


def bump(state: ComplaintState, turn: Turn, name: str) -> int:
    """Count one more unanswered try at question ``name``; the count so far."""
    retries = dict(state.retries or {})
    retries[name] = int(retries.get(name, 0)) + 1
    turn.slots["retries"] = retries
    return retries[name]


def fill_missing(state: ComplaintState, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The ``facts`` for slots still empty (never overwrites an answer).

    "Carry on without the order number" leaves the order empty, not answered: an order number the customer
    finds later fills it (and the read-back and the case then carry it).
    """
    return {k: v for k, v in facts.items() if _empty(state, k) and v not in (None, "")}


def _empty(state: ComplaintState, slot: str) -> bool:
    value = state.get(slot)
    return value in (None, "", UNKNOWN) or (slot == "order_number" and value == NO_ORDER)


def append_description(state: ComplaintState, text: str) -> str:
    """The description with ``text`` added (once), capped at MAX_DESCRIPTION."""
    current = (state.description or "").strip()
    text = text.strip()
    if not text or text in current:
        return current
    combined = f"{current}\n{text}" if current else text
    return combined[:MAX_DESCRIPTION]


def reset_complaint() -> dict[str, Any]:
    """Slot values that end one complaint (customer name and email are kept)."""
    return {name: None for name in COMPLAINT_SLOTS}
