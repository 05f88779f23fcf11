"""What a conversation hands over to open a case, and what opening it gives back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class TranscriptTurn:
    """One line of a conversation, as handed over by a channel or the bot.

    A bot line carries the Listen / Understand / Resolve / Confirm ``stage`` and the wording ``message_id`` of
    the response that said it (data/wording/messages.yml, or a fixed ``utter_*`` reply of domain.yml).
    """

    speaker: str  # customer | bot | staff | system
    text: str
    at: Optional[dt.datetime] = None
    actor: Optional[str] = None
    intent: Optional[str] = None
    stage: Optional[str] = None
    message_id: Optional[str] = None


@dataclass
class CaseDraft:
    """The facts gathered in a conversation, ready to become a case.

    ``kind`` is one of bot.vocabulary.CASE_KINDS (a fault is a ``complaint``); ``customer_phone`` is kept on
    the customer (personal data: masked in logs, redacted in exports, erased with the customer);
    ``callback_at`` is when the customer would like a call back, in their words.
    """

    description: str
    kind: str = "complaint"
    channel: str = "rest"
    conversation_id: Optional[str] = None
    customer_name: str = ""
    customer_email: Optional[str] = None
    customer_phone: Optional[str] = None
    callback_at: Optional[str] = None
    order_number: Optional[str] = None
    sku: Optional[str] = None
    size: Optional[str] = None
    colour: Optional[str] = None
    defect_category: str = "other"
    component: Optional[str] = None
    secondary_defect_category: Optional[str] = None
    purchase_date: Optional[dt.date] = None
    delivery_date: Optional[dt.date] = None
    injury_reported: Optional[bool] = None
    resolution_type: Optional[str] = None
    resolution_reason: Optional[str] = None
    idempotency_key: Optional[str] = None
    transcript: list[TranscriptTurn] = field(default_factory=list)
    # Events recorded in the same transaction as the case (e.g. a request for a person made while the
    # case was being logged), so a crash can never leave the case without them or record them twice.
    extra_events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class OpenedCase:
    """The result of opening a case."""

    case: dict[str, Any]
    created: bool

    @property
    def reference(self) -> str:
        """The case reference."""
        return str(self.case["reference"])
