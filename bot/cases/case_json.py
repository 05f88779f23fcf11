"""Case JSON, as documented in DESIGN.md (``complaints cases show REF --json``).

Pure: every function here turns rows that are already loaded into plain dicts and runs no SQL.
Loading (events, follow-ups, photos, transcript) happens in :mod:`bot.cases.views`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from bot.cases.models import Case, CaseEvent, CasePhoto, FollowUp, TranscriptLine
from bot.cases.sla import is_breached


@dataclass(frozen=True)
class CaseHistory:
    """What happened to a case: its audit events, follow-ups and photos, loaded in order."""

    events: Sequence[CaseEvent] = ()
    follow_ups: Sequence[FollowUp] = ()
    photos: Sequence[CasePhoto] = ()


@dataclass(frozen=True)
class CaseTranscript:
    """The conversation of a case: Rasa's full stored conversation when found, else the case's own snapshot."""

    lines: Sequence[TranscriptLine] = ()
    tracker: Optional[list[dict[str, Any]]] = None


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
    """One follow-up (its case is loaded with it)."""
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


def photo_to_dict(row: CasePhoto) -> dict[str, Any]:
    """The JSON form of a photo."""
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "filename": row.filename,
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "metadata_stripped": bool(row.metadata_stripped),
        "uploaded_at": row.uploaded_at.isoformat() if row.uploaded_at else None,
    }


def transcript_line_to_dict(line: TranscriptLine) -> dict[str, Any]:
    """One line of the conversation stored with a case; a bot line with its stage and wording id."""
    return {
        "speaker": line.speaker,
        "actor": line.actor,
        "text": line.text,
        "intent": line.intent,
        "at": _iso(line.said_at),
        "stage": line.stage,
        "message_id": line.message_id,
    }


def _customer(case: Case) -> dict[str, Any]:
    customer = case.customer
    return {
        "name": customer.name if customer is not None else None,
        "email": customer.email if customer is not None else None,
        "phone": customer.phone if customer is not None else None,
    }


def _product(case: Case) -> dict[str, Any]:
    product = case.product
    return {
        "sku": product.sku if product is not None else None,
        "name": product.name if product is not None else None,
        "line": product.line if product is not None else case.product_line,
    }


def _sla(case: Case, now: dt.datetime) -> dict[str, Any]:
    return {
        "first_response_due": _iso(case.first_response_due),
        "resolution_due": _iso(case.resolution_due),
        "first_responded_at": _iso(case.first_responded_at),
        "breached": is_breached(case.first_response_due, case.first_responded_at, now)
        or is_breached(case.resolution_due, case.resolved_at, now),
    }


def _facts(case: Case) -> dict[str, Any]:
    """The complaint's facts, in the documented key order."""
    return {
        "order_number": case.order_number,
        "product": _product(case),
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
    }


def _handling(case: Case, now: dt.datetime) -> dict[str, Any]:
    """How the case was handled: resolution, owner, SLA, satisfaction, root cause and times."""
    return {
        "resolution": {"type": case.resolution_type, "reason": case.resolution_reason},
        "assignee": case.assignee,
        "sla": _sla(case, now),
        "satisfaction": {"score": case.satisfaction_score, "comment": case.satisfaction_comment},
        "root_cause": case.root_cause,
        "root_cause_category": case.root_cause_category,
        "legal_hold": bool(case.legal_hold),
        "resolved_at": _iso(case.resolved_at),
        "closed_at": _iso(case.closed_at),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
    }


def _add_transcript(result: dict[str, Any], transcript: CaseTranscript) -> None:
    if transcript.tracker is not None:
        result["transcript"] = transcript.tracker
        result["transcript_source"] = "tracker_store"
        return
    result["transcript_source"] = "case_snapshot"
    result["transcript"] = [transcript_line_to_dict(line) for line in transcript.lines]


def case_to_dict(
    case: Case,
    now: dt.datetime,
    history: Optional[CaseHistory] = None,
    transcript: Optional[CaseTranscript] = None,
) -> dict[str, Any]:
    """The case JSON at ``now``; with ``history`` also events, follow-ups and photos; with ``transcript`` the talk."""
    result: dict[str, Any] = {
        "reference": case.reference,
        "kind": case.kind or "complaint",
        "status": case.status,
        "priority": case.priority,
        "channel": case.channel,
        "conversation_id": case.conversation_id,
        "customer": _customer(case),
        **_facts(case),
        **_handling(case, now),
        "events": [],
    }
    if case.callback_at:
        result["callback_at"] = case.callback_at
    if history is not None:
        result["events"] = [event_to_dict(event) for event in history.events]
        result["follow_ups"] = [follow_up_to_dict(follow_up) for follow_up in history.follow_ups]
        result["photos"] = [photo_to_dict(photo) for photo in history.photos]
    if transcript is not None:
        _add_transcript(result, transcript)
    return result
