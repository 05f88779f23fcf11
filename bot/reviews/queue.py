"""The review queue: filled by the sampling rules, assigned to supervisors, listed for the dashboard and CLI.

Filling is idempotent: one queue item per case (unique ``case_id``); a case already queued only gains the
reasons it did not have (a low rating after it was picked at random...). When a reviewed case gains a new
reason it is opened again, so the new evidence is looked at.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, noload

from bot.cases.models import Case, CaseEvent, TranscriptLine, User
from bot.cases.store import Store
from bot.reviews.models import ReviewQueueItem
from bot.reviews.sampling import ConversationFacts, SamplingRules, merged_reasons, reasons_for

log = logging.getLogger(__name__)

OPEN, DONE = "open", "done"
TAKEOVER_EVENT = "takeover_started"


class QueueError(ValueError):
    """A queue item or assignee that does not exist."""


@dataclass
class FillReport:
    """What one fill did."""

    checked: int = 0
    added: int = 0
    updated: int = 0
    references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def rules_of(store: Store) -> SamplingRules:
    """The sampling rules from the settings."""
    s = store.settings
    return SamplingRules(low_rating=s.review_low_rating, sample_share=s.review_sample_share, seed=s.review_sample_seed)


def fill_queue(store: Store, rules: Optional[SamplingRules] = None) -> FillReport:
    """Queue every complaint conversation the rules pick, in one unit of work (run again: nothing changes).

    Another process filling at the same moment can insert the same case first; the fill then starts again
    and finds that item.
    """
    rules = rules or rules_of(store)
    try:
        return _fill(store, rules)
    except IntegrityError:
        log.info("review queue filled by another process at the same time; filling again")
        return _fill(store, rules)


def _fill(store: Store, rules: SamplingRules) -> FillReport:
    report = FillReport()
    with store.unit_of_work() as uow:
        session, now = uow.session, store.clock()
        items = session.execute(select(ReviewQueueItem).options(noload(ReviewQueueItem.case))).scalars()
        existing = {item.case_id: item for item in items}
        loads = supervisor_loads(session)
        for facts, case_id in _conversations(session):
            report.checked += 1
            reasons = reasons_for(facts, rules)
            if not reasons:
                continue
            item = existing.get(case_id)
            if item is None:
                assignee = _least_loaded(loads)
                session.add(
                    ReviewQueueItem(case_id=case_id, reasons=reasons, status=OPEN, assigned_to=assignee, queued_at=now)
                )
                report.added += 1
            elif set(reasons) - set(item.reasons or []):
                item.reasons = merged_reasons(list(item.reasons or []), reasons)
                item.status = OPEN
                report.updated += 1
            else:
                continue
            report.references.append(facts.reference)
        uow.commit()
    if report.added or report.updated:
        log.info("review queue: %d added, %d with new reasons", report.added, report.updated)
    return report


def _conversations(session: Session) -> list[tuple[ConversationFacts, int]]:
    """Facts of every complaint conversation (a complaint case with a transcript)."""
    has_transcript = exists(select(TranscriptLine.id).where(TranscriptLine.case_id == Case.id))
    rows = session.execute(
        select(Case.id, Case.reference, Case.safety_issue, Case.satisfaction_score)
        .where(Case.kind == "complaint", has_transcript)
        .order_by(Case.id)
    )
    reopened = {
        case_id
        for case_id, data in session.execute(
            select(CaseEvent.case_id, CaseEvent.data).where(CaseEvent.kind == "status_changed")
        )
        if isinstance(data, dict) and data.get("to") == "reopened"
    }
    taken_over = set(session.execute(select(TranscriptLine.case_id).where(TranscriptLine.speaker == "staff")).scalars())
    taken_over |= set(session.execute(select(CaseEvent.case_id).where(CaseEvent.kind == TAKEOVER_EVENT)).scalars())
    return [
        (
            ConversationFacts(
                reference=row.reference,
                safety_issue=bool(row.safety_issue),
                satisfaction_score=row.satisfaction_score,
                reopened=row.id in reopened,
                takeover=row.id in taken_over,
            ),
            int(row.id),
        )
        for row in rows
    ]


def supervisor_loads(session: Session) -> dict[str, int]:
    """Open queue items per active supervisor (e-mail), including supervisors with none."""
    supervisors = session.execute(
        select(User.email).where(User.role == "supervisor", User.active.is_(True)).order_by(User.email)
    ).scalars()
    loads = {email: 0 for email in supervisors}
    counts = session.execute(
        select(ReviewQueueItem.assigned_to, func.count(ReviewQueueItem.id))
        .where(ReviewQueueItem.status == OPEN, ReviewQueueItem.assigned_to.is_not(None))
        .group_by(ReviewQueueItem.assigned_to)
    )
    for email, count in counts:
        if email in loads:
            loads[email] = int(count)
    return loads


def supervisors(store: Store) -> list[str]:
    """E-mails of the active supervisors (who a review can be assigned to)."""
    with store.unit_of_work() as uow:
        return list(supervisor_loads(uow.session))


def _least_loaded(loads: dict[str, int]) -> Optional[str]:
    """The supervisor with the fewest open items (by e-mail on a tie), counted as one more; None if none."""
    if not loads:
        return None
    email = min(loads, key=lambda e: (loads[e], e))
    loads[email] += 1
    return email


def assign(store: Store, item_id: int, email: Optional[str]) -> dict[str, Any]:
    """Give queue item ``item_id`` to the active supervisor ``email`` (None or "": unassigned)."""
    email = (email or "").strip().lower() or None
    with store.unit_of_work() as uow:
        row = uow.session.execute(_items().where(ReviewQueueItem.id == item_id)).first()
        if row is None:
            raise QueueError(f"no review queue item {item_id}")
        if email is not None and email not in supervisor_loads(uow.session):
            raise QueueError(f"{email} is not an active supervisor")
        row[0].assigned_to = email
        result = item_json(*row)
        uow.commit()
        return result


def list_queue(
    store: Store, status: Optional[str] = OPEN, assigned_to: Optional[str] = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Queue items, oldest first: ``status`` open / done / None (all), optionally only one supervisor's."""
    stmt = _items().order_by(ReviewQueueItem.queued_at, ReviewQueueItem.id).limit(limit)
    if status:
        stmt = stmt.where(ReviewQueueItem.status == status)
    if assigned_to:
        stmt = stmt.where(ReviewQueueItem.assigned_to == assigned_to.strip().lower())
    with store.unit_of_work() as uow:
        return [item_json(*row) for row in uow.session.execute(stmt)]


def _items() -> Any:
    """Queue items with the reference, channel and kind of their case (not the whole case and its events)."""
    return (
        select(ReviewQueueItem, Case.reference, Case.channel, Case.kind)
        .join(Case, Case.id == ReviewQueueItem.case_id)
        .options(noload(ReviewQueueItem.case))
    )


def item_for_case(session: Session, case_id: int) -> Optional[ReviewQueueItem]:
    """The queue item of a case, if it was queued."""
    stmt = select(ReviewQueueItem).where(ReviewQueueItem.case_id == case_id).options(noload(ReviewQueueItem.case))
    return session.execute(stmt).scalar()


def queue_item_of(store: Store, reference: str) -> Optional[dict[str, Any]]:
    """The queue item of the case ``reference`` as JSON, or None when it was never queued."""
    with store.unit_of_work() as uow:
        row = uow.session.execute(_items().where(Case.reference == reference.strip().upper())).first()
        return item_json(*row) if row is not None else None


def item_json(item: ReviewQueueItem, reference: str, channel: str, kind: str) -> dict[str, Any]:
    """One queue item without personal data of the customer: the case by reference, channel and kind."""
    return {
        "id": int(item.id),
        "reference": reference,
        "reasons": list(item.reasons or []),
        "status": item.status,
        "assigned_to": item.assigned_to,
        "queued_at": _iso(item.queued_at),
        "reviewed_at": _iso(item.reviewed_at),
        "channel": channel,
        "kind": kind,
    }


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None
