"""The case a request opens for staff (cancellation, return, call-back, carrier investigation)."""

from __future__ import annotations

from typing import Optional

from bot.cases import deferred, service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.conversation.requests.state import CaseRequest, RequestTurn

MAX_TRANSCRIPT_TURNS = 400


def draft_of(request: CaseRequest, sender_id: str, channel: str, transcript: list[TranscriptTurn]) -> CaseDraft:
    """The case draft for ``request`` (idempotent per conversation and request)."""
    order = request.order
    return CaseDraft(
        description=request.description,
        channel=channel or "rest",
        conversation_id=sender_id,
        customer_name=request.customer_name or (order.customer_name if order else ""),
        customer_email=request.customer_email or (order.customer_email if order and order.customer_email else None),
        order_number=order.order_number if order else None,
        sku=order.product.sku if order else None,
        size=(order.size or None) if order else None,
        colour=(order.colour or None) if order else None,
        defect_category=request.defect_category,
        purchase_date=order.order_date if order else None,
        delivery_date=order.delivery_date if order else None,
        resolution_type=request.resolution_type,
        resolution_reason=request.resolution_reason,
        idempotency_key=f"{sender_id}:{request.key or request.kind}",
        transcript=transcript[-MAX_TRANSCRIPT_TURNS:],
        kind=request.kind,
        customer_phone=request.phone,
        callback_at=request.callback_at,
    )


def record(
    store: Store, turn: RequestTurn, sender_id: str, channel: str, transcript: list[TranscriptTurn]
) -> Optional[str]:
    """Open the case ``turn`` asks for (once, however often retried) and confirm it with its reference."""
    if turn.case is None:
        return None
    opened = service.open_case(store, draft_of(turn.case, sender_id, channel, transcript))
    reference = str(opened.case["reference"])
    turn.say(turn.case.confirm, reference=reference, **turn.case.confirm_values)
    turn.slots["case_reference"] = reference
    turn.case = None
    return reference


def defer(store: Store, turn: RequestTurn, sender_id: str, channel: str, transcript: list[TranscriptTurn]) -> None:
    """The case database is unavailable: keep the request in the outbox (written, once, when it is back)."""
    if turn.case is None:
        return
    draft = draft_of(turn.case, sender_id, channel, transcript)
    turn.case = None
    try:
        deferred.defer_case(store.settings, draft, store.clock())
    except OSError:
        turn.say("store.save_failed")
        return
    turn.say("requests.deferred")
