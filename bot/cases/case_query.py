"""The one case query: what the CLI list, the dashboard search and the Slack lists ask for.

:class:`CaseQuery` says which cases; :func:`case_statement` turns it into SQL. The repository runs it
(:meth:`bot.cases.repository.CaseRepository.find`) and :func:`bot.cases.views.find_cases` returns case JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Optional, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.sql import Select

from bot.cases.models import Case, Customer

SATISFACTION_CHOICES = ("low", "ok", "none", "1", "2", "3", "4", "5")


@dataclass(frozen=True)
class CaseQuery:
    """Which cases to list; every criterion is optional and they all must hold.

    ``status`` is one status or several; ``created_from`` is inclusive and ``created_to`` exclusive;
    ``overdue`` keeps cases whose resolution due time has passed; ``sla_breached`` keeps (True) or drops (False)
    cases past either SLA due time; ``satisfaction`` is ``low`` (1-2), ``ok`` (3-5), ``none`` (no answer) or a
    score ``"1"``..``"5"``; ``kind`` is one of bot.vocabulary.CASE_KINDS; ``search`` looks in the reference,
    description, order number, batch and the customer's name and e-mail. ``order`` is ``newest`` (newest first)
    or ``due`` (resolution due soonest first).
    """

    status: Optional[Sequence[str]] = None
    kind: Optional[str] = None
    priority: Optional[str] = None
    channel: Optional[str] = None
    product_line: Optional[str] = None
    defect_category: Optional[str] = None
    batch: Optional[str] = None
    assignee: Optional[str] = None
    customer_email: Optional[str] = None
    created_from: Optional[dt.datetime] = None
    created_to: Optional[dt.datetime] = None
    overdue: bool = False
    sla_breached: Optional[bool] = None
    satisfaction: Optional[str] = None
    search: Optional[str] = None
    order: Literal["newest", "due"] = "newest"
    limit: int = 500
    offset: int = 0

    def statuses(self) -> list[str]:
        """The statuses asked for (none means any)."""
        if not self.status:
            return []
        return [self.status] if isinstance(self.status, str) else list(self.status)


def _breached(due: Any, done: Any, now: dt.datetime) -> Any:
    # Every branch is null-safe, so NOT(breached) is also right for cases with no due time or no answer yet.
    return and_(due.isnot(None), or_(and_(done.is_(None), due < now), and_(done.isnot(None), done > due)))


def _equal_filters(stmt: Select, query: CaseQuery) -> Select:
    if query.statuses():
        stmt = stmt.where(Case.status.in_(query.statuses()))
    for column, value in (
        (Case.kind, query.kind),
        (Case.priority, query.priority),
        (Case.channel, query.channel),
        (Case.product_line, query.product_line),
        (Case.defect_category, query.defect_category),
        (Case.batch, query.batch),
        (Case.assignee, query.assignee),
    ):
        if value:
            stmt = stmt.where(column == value)
    if query.created_from:
        stmt = stmt.where(Case.created_at >= query.created_from)
    if query.created_to:
        stmt = stmt.where(Case.created_at < query.created_to)
    return stmt


def _service_filters(stmt: Select, query: CaseQuery, now: dt.datetime) -> Select:
    if query.overdue:
        stmt = stmt.where(Case.resolution_due.isnot(None), Case.resolution_due < now)
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
    return stmt


def _customer_filters(stmt: Select, query: CaseQuery) -> Select:
    text = (query.search or "").strip()
    if not (text or query.customer_email):
        return stmt
    stmt = stmt.outerjoin(Customer, Case.customer_id == Customer.id)
    if query.customer_email:
        stmt = stmt.where(Customer.email == query.customer_email.strip().lower())
    if text:
        like = f"%{text[:200]}%"
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
    return stmt


def case_statement(query: CaseQuery, now: dt.datetime) -> Select:
    """The SELECT of the cases matching ``query`` at ``now``, in its order, limited."""
    stmt = _customer_filters(_service_filters(_equal_filters(select(Case), query), query, now), query)
    if query.order == "due":
        stmt = stmt.order_by(Case.resolution_due.asc(), Case.id.asc())
    else:
        stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc())
    return stmt.limit(query.limit).offset(query.offset)
