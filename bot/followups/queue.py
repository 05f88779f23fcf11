"""The follow-up queue: claim due follow-ups atomically, record delivery, retry with backoff.

Any number of workers may run. A claim is a conditional update (PostgreSQL: ``FOR UPDATE SKIP
LOCKED``; SQLite: the write lock of ``BEGIN IMMEDIATE``), so two workers never claim the same
follow-up. A claim left behind by a crashed worker expires and is claimed again. The message itself
is sent at most once because :func:`mark_delivered` is a conditional update too: whoever flips the
follow-up to ``sent`` first is the only one that speaks to the customer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import and_, or_, select, update

from bot.cases.models import Case, FollowUp
from bot.cases.store import Store

CLAIM_TIMEOUT = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(minutes=2)
SEND_STATUSES = ("pending", "claimed")


@dataclass(frozen=True)
class DueFollowUp:
    """A claimed follow-up, with what a deliverer needs to reach the customer."""

    id: int
    key: str
    case_reference: str
    channel: str
    conversation_id: Optional[str]
    customer_name: str
    customer_email: Optional[str]
    product_name: Optional[str]
    resolution_type: Optional[str]
    attempts: int
    claim: str


def _due_condition(now: dt.datetime, claim_timeout: dt.timedelta = CLAIM_TIMEOUT) -> Any:
    ready = and_(
        FollowUp.status == "pending",
        FollowUp.due_at <= now,
        or_(FollowUp.next_attempt_at.is_(None), FollowUp.next_attempt_at <= now),
    )
    abandoned = and_(FollowUp.status == "claimed", FollowUp.claimed_at < now - claim_timeout)
    return or_(ready, abandoned)


def claim_due(store: Store, worker: str, limit: int = 50) -> list[DueFollowUp]:
    """Claim up to ``limit`` due follow-ups for ``worker``; nobody else gets them until the claim expires."""
    now = store.clock()
    timeout = dt.timedelta(seconds=store.settings.followup_claim_timeout_seconds)
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    with store.unit_of_work() as uow:
        stmt = (
            select(FollowUp.id)
            .where(_due_condition(now, timeout))
            .order_by(FollowUp.due_at, FollowUp.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=FollowUp)
        )
        ids = list(uow.session.execute(stmt).scalars())
        if not ids:
            return []
        uow.session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(ids), _due_condition(now, timeout))
            .values(status="claimed", claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        rows = uow.session.execute(
            select(FollowUp).where(FollowUp.claimed_by == token).order_by(FollowUp.due_at, FollowUp.id)
        ).unique()
        claimed = [_describe(f, token) for f in rows.scalars()]
        uow.commit()
    return claimed


def _describe(follow_up: FollowUp, token: str) -> DueFollowUp:
    case: Case = follow_up.case
    customer = case.customer
    return DueFollowUp(
        id=follow_up.id,
        key=follow_up.key,
        case_reference=case.reference,
        channel=follow_up.channel,
        conversation_id=follow_up.conversation_id,
        customer_name=(customer.name if customer is not None else "") or "",
        customer_email=customer.email if customer is not None else None,
        product_name=case.product.name if case.product is not None else None,
        resolution_type=case.resolution_type,
        attempts=follow_up.attempts,
        claim=token,
    )


def renew_claim(store: Store, item: DueFollowUp) -> bool:
    """Refresh our claim just before delivering; False if it expired and another worker took it."""
    now = store.clock()
    with store.unit_of_work() as uow:
        result = uow.session.execute(
            update(FollowUp)
            .where(FollowUp.id == item.id, FollowUp.claimed_by == item.claim, FollowUp.status == "claimed")
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        return bool(result.rowcount == 1)


def mark_delivered(store: Store, key: str, via: str, actor: str) -> bool:
    """Flip a follow-up to sent; True only for the first caller (the one that may speak)."""
    now = store.clock()
    with store.unit_of_work() as uow:
        result = uow.session.execute(
            update(FollowUp)
            .where(FollowUp.key == key, FollowUp.status.in_(SEND_STATUSES))
            .values(status="sent", sent_at=now, attempts=FollowUp.attempts + 1, last_error=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            uow.rollback()
            return False
        follow_up = uow.followups.by_key(key)
        assert follow_up is not None
        case = uow.cases.get(follow_up.case.reference, for_update=True)
        assert case is not None
        uow.cases.append_event(case, "follow_up_sent", actor, now, {"key": key, "via": via})
        uow.commit()
        return True


def is_resolved(store: Store, item: DueFollowUp) -> bool:
    """Follow-ups only go out for cases that have been resolved or closed."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(item.case_reference)
        return case is not None and case.status in ("resolved", "closed")


def postpone(store: Store, item: DueFollowUp, by: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Put a claimed follow-up back for later (its case is not resolved yet)."""
    now = store.clock()
    with store.unit_of_work() as uow:
        uow.session.execute(
            update(FollowUp)
            .where(FollowUp.id == item.id, FollowUp.claimed_by == item.claim)
            .values(status="pending", claimed_by=None, claimed_at=None, due_at=now + by)
            .execution_options(synchronize_session=False)
        )
        uow.commit()


def record_failure(store: Store, item: DueFollowUp, error: str, retryable: bool = True) -> str:
    """Note a failed attempt: retry later with exponential backoff, or give up and alert staff.

    Returns the new status (``pending`` or ``failed``).
    """
    now = store.clock()
    with store.unit_of_work() as uow:
        follow_up = uow.session.get(FollowUp, item.id)
        if follow_up is None or follow_up.claimed_by != item.claim or follow_up.status != "claimed":
            return follow_up.status if follow_up is not None else "missing"
        follow_up.attempts += 1
        follow_up.last_error = error[:1000]
        follow_up.claimed_by = None
        follow_up.claimed_at = None
        if retryable and follow_up.attempts < MAX_ATTEMPTS:
            follow_up.status = "pending"
            follow_up.next_attempt_at = now + BACKOFF * (2 ** (follow_up.attempts - 1))
        else:
            follow_up.status = "failed"
            case = uow.cases.get(item.case_reference, for_update=True)
            if case is not None:
                uow.cases.append_event(
                    case,
                    "follow_up_failed",
                    "scheduler",
                    now,
                    {"key": item.key, "attempts": follow_up.attempts, "error": error[:300]},
                )
                uow.cases.append_event(
                    case, "staff_alerted", "scheduler", now, {"reason": "satisfaction follow-up could not be delivered"}
                )
        status = str(follow_up.status)
        uow.commit()
        return status


def make_due_now(store: Store, reference: str) -> Optional[str]:
    """Demo helper: make the case's pending follow-up due now; returns its key."""
    now = store.clock()
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            return None
        for follow_up in uow.followups.for_case(case.id):
            if follow_up.status in ("pending", "failed"):
                follow_up.status = "pending"
                follow_up.due_at = now
                follow_up.next_attempt_at = None
                follow_up.attempts = 0
                key = str(follow_up.key)
                uow.commit()
                return key
    return None
