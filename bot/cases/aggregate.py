"""The case aggregate: the changes a command makes to a case and what hangs off it.

Every function here works inside the caller's unit of work and never commits, so a command that
opens a case, moves its status, links photos and schedules its follow-up makes all of it
permanent in one commit, or none of it. Each change writes its audit event through the repository.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Sequence

from bot.cases.models import Case, CasePhoto, FollowUp
from bot.cases.status import CaseStatus, check_transition
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.policy import load_followup_delays

FINISHED_FOLLOW_UP = ("sent", "answered", "failed", "cancelled")



class CaseNotFound(LookupError):
    """No case has the given reference."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no case with reference {reference!r}")
        self.reference = reference


def load_for_update(uow: UnitOfWork, reference: str) -> Case:
    """The case ``reference``, locked for this unit of work; raises :class:`CaseNotFound`."""
    case = uow.cases.get(reference, for_update=True)
    if case is None:
        raise CaseNotFound(reference)
    return case


def transition(uow: UnitOfWork, case: Case, target: str, actor: str, now: dt.datetime, note: str = "") -> None:
    """Move ``case`` to ``target`` if the state machine allows it, stamping the times that go with it."""
    new_status = check_transition(case.reference, case.status, target)
    old = case.status
    case.status = new_status.value
    if new_status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif new_status == CaseStatus.CLOSED:
        case.closed_at = now
    elif new_status == CaseStatus.REOPENED:
        case.resolved_at = None
        case.closed_at = None
    if case.first_responded_at is None and actor != "bot" and new_status != CaseStatus.NEW:
        case.first_responded_at = now
    data: dict[str, Any] = {"from": old, "to": new_status.value}
    if note:
        data["note"] = note
    uow.cases.append_event(case, "status_changed", actor, now, data)


def follow_up_delay(store: Store, resolution_type: Optional[str]) -> dt.timedelta:
    """How long after resolution the satisfaction follow-up is due (``data/policy/followups.yml``)."""
    return load_followup_delays(store.settings.followup_delays_file).after(resolution_type)


def schedule_follow_up(
    uow: UnitOfWork,
    case: Case,
    expected_at: dt.datetime,
    delay: dt.timedelta,
    actor: str,
    now: dt.datetime,
) -> FollowUp:
    """Create, or move, the pending follow-up of the case's resolution cycle: ``delay`` after ``expected_at``."""
    finished = [f for f in uow.followups.for_case(case.id) if f.status in FINISHED_FOLLOW_UP]
    key = f"{case.reference}:satisfaction:{1 + len(finished)}"
    due = expected_at + delay
    existing = uow.followups.by_key(key)
    if existing is not None:
        if existing.status == "pending" and existing.due_at != due:
            existing.due_at = due
            uow.cases.append_event(case, "follow_up_rescheduled", actor, now, {"key": key, "due_at": due.isoformat()})
        return existing
    follow_up = uow.followups.add(
        FollowUp(
            case_id=case.id,
            key=key,
            channel=case.channel,
            conversation_id=case.conversation_id,
            due_at=due,
            status="pending",
            created_at=now,
        )
    )
    uow.cases.append_event(case, "follow_up_scheduled", actor, now, {"key": key, "due_at": due.isoformat()})
    return follow_up


def record_photos_attached(uow: UnitOfWork, case: Case, photos: Sequence[CasePhoto], now: dt.datetime) -> None:
    """The audit event saying which photos (by id and checksum) joined the case."""
    uow.cases.append_event(
        case,
        "photos_attached",
        "customer",
        now,
        {"photos": [{"id": p.id, "sha256": p.sha256, "content_type": p.content_type} for p in photos]},
    )


def link_pending_photos(uow: UnitOfWork, case: Case, now: dt.datetime) -> list[CasePhoto]:
    """Link the photos sent in the case's conversation before it was logged; returns the ones linked."""
    if not case.conversation_id:
        return []
    photos = uow.photos.pending(case.conversation_id)
    for photo in photos:
        photo.case_id = case.id
    if photos:
        uow.session.flush()
        record_photos_attached(uow, case, photos, now)
    return photos
