"""Case JSON, as documented in DESIGN.md (``complaints cases show REF --json``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import select

from bot.cases.models import Case, CaseEvent, CasePhoto, FollowUp, TranscriptLine
from bot.cases.sla import is_breached

if TYPE_CHECKING:
    from bot.cases.unit_of_work import UnitOfWork


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def event_to_dict(event: CaseEvent) -> dict[str, Any]:
    """One audit event."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "actor": event.actor,
        "at": _iso(event.created_at),
        "data": event.data,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def follow_up_to_dict(follow_up: FollowUp) -> dict[str, Any]:
    """One follow-up."""
    return {
        "id": follow_up.id,
        "key": follow_up.key,
        "case_reference": follow_up.case.reference if follow_up.case is not None else None,
        "status": follow_up.status,
        "channel": follow_up.channel,
        "conversation_id": follow_up.conversation_id,
        "due_at": _iso(follow_up.due_at),
        "attempts": follow_up.attempts,
        "sent_at": _iso(follow_up.sent_at),
        "answered_at": _iso(follow_up.answered_at),
        "last_error": follow_up.last_error,
    }


def case_to_dict(
    case: Case,
    now: dt.datetime,
    uow: Optional[UnitOfWork] = None,
    with_events: bool = False,
    with_transcript: bool = False,
) -> dict[str, Any]:
    """The case JSON; events, transcript and follow-ups need a unit of work to load them."""
    product = case.product
    customer = case.customer
    result: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority,
        "channel": case.channel,
        "conversation_id": case.conversation_id,
        "customer": {
            "name": customer.name if customer is not None else None,
            "email": customer.email if customer is not None else None,
        },
        "order_number": case.order_number,
        "product": {
            "sku": product.sku if product is not None else None,
            "name": product.name if product is not None else None,
            "line": product.line if product is not None else case.product_line,
        },
        "batch": case.batch,
        "size": case.size,
        "colour": case.colour,
        "defect_category": case.defect_category,
        "component": case.component,
        "secondary_defect_category": case.secondary_defect_category,
        "description": case.description,
        "purchase_date": _iso(case.purchase_date),
        "delivery_date": _iso(case.delivery_date),
        "safety_issue": bool(case.safety_issue),
        "injury_reported": case.injury_reported,
        "resolution": {"type": case.resolution_type, "reason": case.resolution_reason},
        "assignee": case.assignee,
        "sla": {
            "first_response_due": _iso(case.first_response_due),
            "resolution_due": _iso(case.resolution_due),
            "first_responded_at": _iso(case.first_responded_at),
            "breached": is_breached(case.first_response_due, case.first_responded_at, now)
            or is_breached(case.resolution_due, case.resolved_at, now),
        },
        "satisfaction": {"score": case.satisfaction_score, "comment": case.satisfaction_comment},
        "root_cause": case.root_cause,
        "root_cause_category": case.root_cause_category,
        "legal_hold": bool(case.legal_hold),
        "resolved_at": _iso(case.resolved_at),
        "closed_at": _iso(case.closed_at),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "events": [],
    }
    if uow is not None and with_events:
        events = uow.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
        result["events"] = [event_to_dict(e) for e in events.scalars()]
        result["follow_ups"] = [follow_up_to_dict(f) for f in uow.followups.for_case(case.id)]
        from bot.cases.photos import photo_to_dict

        photos = uow.session.execute(select(CasePhoto).where(CasePhoto.case_id == case.id).order_by(CasePhoto.id))
        result["photos"] = [photo_to_dict(p) for p in photos.scalars()]
    if uow is not None and with_transcript:
        full = uow.conversations.transcript(case.conversation_id) if uow.conversations is not None else None
        if full is not None:
            result["transcript"] = full
            result["transcript_source"] = "tracker_store"
            return result
        result["transcript_source"] = "case_snapshot"
        lines = uow.session.execute(
            select(TranscriptLine).where(TranscriptLine.case_id == case.id).order_by(TranscriptLine.seq)
        )
        result["transcript"] = [
            {"speaker": t.speaker, "actor": t.actor, "text": t.text, "intent": t.intent, "at": _iso(t.said_at)}
            for t in lines.scalars()
        ]
    return result
