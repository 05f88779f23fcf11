"""The dashboard's case list: filters beyond the repository's (SLA breached, satisfaction, customer search)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import and_, or_, select

from bot.cases.models import Case, Customer
from bot.cases.serialize import case_to_dict
from bot.cases.store import Store


@dataclass(frozen=True)
class CaseQuery:
    """What the supervisor filtered the case list by; every field is optional."""

    status: Optional[str] = None
    priority: Optional[str] = None
    product_line: Optional[str] = None
    defect_category: Optional[str] = None
    batch: Optional[str] = None
    channel: Optional[str] = None
    created_from: Optional[dt.date] = None
    created_to: Optional[dt.date] = None
    sla_breached: Optional[bool] = None
    satisfaction: Optional[str] = None  # "low" (1-2), "ok" (3-5), "none" (no answer) or a score "1".."5"
    search: Optional[str] = None
    limit: int = 200


def _breached(due: Any, done: Any, now: dt.datetime) -> Any:
    # Every branch is null-safe, so NOT(breached) is also right for cases with no due time or no answer yet.
    return and_(due.isnot(None), or_(and_(done.is_(None), due < now), and_(done.isnot(None), done > due)))


def search_cases(store: Store, query: CaseQuery) -> list[dict[str, Any]]:
    """Cases matching ``query``, newest first, as case JSON (without events)."""
    now = store.clock()
    stmt = select(Case).outerjoin(Customer, Case.customer_id == Customer.id)
    for column, value in (
        (Case.status, query.status),
        (Case.priority, query.priority),
        (Case.product_line, query.product_line),
        (Case.defect_category, query.defect_category),
        (Case.batch, query.batch),
        (Case.channel, query.channel),
    ):
        if value:
            stmt = stmt.where(column == value)
    if query.created_from:
        stmt = stmt.where(Case.created_at >= dt.datetime.combine(query.created_from, dt.time(), dt.timezone.utc))
    if query.created_to:
        end = dt.datetime.combine(query.created_to + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
        stmt = stmt.where(Case.created_at < end)
    breached = or_(
        _breached(Case.first_response_due, Case.first_responded_at, now),
        _breached(Case.resolution_due, Case.resolved_at, now),
    )
    if query.sla_breached is True:
        stmt = stmt.where(breached)
    elif query.sla_breached is False:
        stmt = stmt.where(~breached)
    if query.satisfaction == "low":
        stmt = stmt.where(Case.satisfaction_score <= 2)
    elif query.satisfaction == "ok":
        stmt = stmt.where(Case.satisfaction_score >= 3)
    elif query.satisfaction == "none":
        stmt = stmt.where(Case.satisfaction_score.is_(None))
    elif query.satisfaction and query.satisfaction.isdigit():
        stmt = stmt.where(Case.satisfaction_score == int(query.satisfaction))
    if query.search and query.search.strip():
        like = f"%{query.search.strip()[:200]}%"
        stmt = stmt.where(
            or_(
                Case.reference.ilike(like),
                Case.description.ilike(like),
                Case.order_number.ilike(like),
                Case.batch.ilike(like),
                Customer.name.ilike(like),
                Customer.email.ilike(like),
            )
        )
    stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(max(1, min(query.limit, 1000)))
    with store.unit_of_work() as uow:
        return [case_to_dict(c, now) for c in uow.session.execute(stmt).unique().scalars()]


def filter_choices(store: Store) -> dict[str, list[str]]:
    """Distinct values for the filter drop-downs."""
    with store.unit_of_work() as uow:
        result = {}
        for name, column in (
            ("product_line", Case.product_line),
            ("batch", Case.batch),
            ("channel", Case.channel),
        ):
            values = uow.session.execute(select(column).where(column.isnot(None)).distinct().order_by(column))
            result[name] = [str(v) for v in values.scalars() if v]
        return result
