"""A request in progress as typed values, and what one step of a request returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from bot.conversation.catalogue import OrderFacts
from bot.conversation.replies import Turn

# Slots of a request in progress (cleared when it is answered); ``phone`` and the customer's e-mail are kept.
REQUEST_SLOTS = ("request_pending", "request_step", "request_subject", "request_tries", "late_offer")
MAX_CALLBACK_WORDS = 120


@dataclass(frozen=True)
class RequestState:
    """What the conversation knows while answering a request."""

    sender_id: str
    step: Optional[str] = None  # "<request>:<what we asked>", e.g. "order_status:email"
    subject: Optional[str] = None  # the order number or case reference being discussed
    tries: int = 0
    customer_name: Optional[str] = None
    customer_email: Optional[str] = None
    phone: Optional[str] = None
    case_reference: Optional[str] = None  # the case logged in this conversation
    in_complaint: bool = False  # the complaint form is active: answer in one turn, then the complaint resumes
    complaint_order: Optional[str] = None  # the complaint's order number, when it has one

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any], sender_id: str, in_complaint: bool = False) -> RequestState:
        """The request held in Rasa's ``slots``."""
        order = slots.get("order_number")
        return cls(
            sender_id=sender_id,
            step=slots.get("request_step"),
            subject=slots.get("request_subject"),
            tries=int(slots.get("request_tries") or 0),
            customer_name=slots.get("customer_name"),
            customer_email=slots.get("customer_email"),
            phone=slots.get("phone"),
            case_reference=slots.get("case_reference"),
            in_complaint=in_complaint,
            complaint_order=order if order not in (None, "none", "unknown") else None,
        )

    @property
    def request(self) -> Optional[str]:
        """The request waiting for an answer ("order_status"...), None when none is."""
        return self.step.split(":", 1)[0] if self.step else None

    @property
    def asked(self) -> Optional[str]:
        """What the request asked for ("order", "email", "confirm"...)."""
        return self.step.split(":", 1)[1] if self.step and ":" in self.step else None


@dataclass(frozen=True)
class RequestMessage:
    """One customer message as a request reads it."""

    text: str
    intent: Optional[str]
    today: dt.date
    entities: list[dict[str, Any]] = field(default_factory=list)

    def entity(self, name: str) -> Optional[str]:
        """The value of entity ``name`` (set by a button), or None."""
        for entity in self.entities:
            if entity.get("entity") == name and entity.get("value"):
                return str(entity["value"])
        return None


@dataclass
class CaseRequest:
    """A case a request opens for staff; ``confirm`` is said with its ``reference`` once it is open."""

    kind: str
    description: str
    confirm: str
    confirm_values: dict[str, Any] = field(default_factory=dict)
    order: Optional[OrderFacts] = None
    defect_category: str = "other"
    resolution_type: Optional[str] = None
    resolution_reason: Optional[str] = None
    customer_email: Optional[str] = None
    customer_name: str = ""
    phone: Optional[str] = None
    callback_at: Optional[str] = None
    key: str = ""  # what makes a retried request the same case (with the conversation id)


@dataclass
class RequestTurn(Turn):
    """What one step of a request says and changes, and the case it opens (if any)."""

    case: Optional[CaseRequest] = None

    def wait(self, step: str, subject: Optional[str] = None, tries: int = 0) -> None:
        """Wait for the customer's answer to ``step`` ("<request>:<what>")."""
        self.slots.update(
            {"request_pending": True, "request_step": step, "request_subject": subject, "request_tries": tries}
        )

    def finish(self) -> None:
        """The request is answered: nothing is waited for."""
        self.slots.update(
            {"request_pending": False, "request_step": None, "request_subject": None, "request_tries": None}
        )


def day(value: dt.date) -> str:
    """A date the way customers read it: "Monday 2 November"."""
    return f"{value:%A} {value.day} {value:%B}"
