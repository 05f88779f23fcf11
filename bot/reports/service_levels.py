"""SLA compliance, response and resolution times, satisfaction and repeat complaints."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Optional

from sqlalchemy import func, select

from bot.cases.models import Case, CaseEvent, Customer, Product
from bot.cases.sla import is_breached
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.reports.windows import hours, median, percentile, rounded, window

LOW_SCORE = 2


def _compliance(pairs: list[tuple[Optional[dt.datetime], Optional[dt.datetime]]], now: dt.datetime) -> dict[str, Any]:
    """Share of due times met, among those that are decided (done, or due time passed)."""
    met = breached = 0
    for due, done in pairs:
        if due is None or (done is None and now <= due):
            continue
        if is_breached(due, done, now):
            breached += 1
        else:
            met += 1
    decided = met + breached
    return {"met": met, "breached": breached, "rate": rounded(met / decided, 3) if decided else None}


def _durations(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "median_hours": rounded(median(values)), "p90_hours": rounded(percentile(values, 90))}


def sla(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """SLA compliance and time to first response / resolution for cases logged in the window."""
    now = store.clock()
    win = window(now, since, until)
    with store.unit_of_work() as uow:
        rows = list(
            uow.session.execute(
                select(
                    Case.reference,
                    Case.status,
                    Case.priority,
                    Case.created_at,
                    Case.first_response_due,
                    Case.first_responded_at,
                    Case.resolution_due,
                    Case.resolved_at,
                ).where(Case.created_at >= win.start, Case.created_at < win.end)
            )
        )
        open_rows = list(
            uow.session.execute(
                select(
                    Case.reference,
                    Case.status,
                    Case.priority,
                    Case.first_response_due,
                    Case.first_responded_at,
                    Case.resolution_due,
                    Case.resolved_at,
                    Case.assignee,
                ).where(Case.status.in_([s.value for s in OPEN_STATUSES]))
            )
        )
    first = [hours(r.first_responded_at - r.created_at) for r in rows if r.first_responded_at is not None]
    resolved = [hours(r.resolved_at - r.created_at) for r in rows if r.resolved_at is not None]
    by_priority: dict[str, dict[str, Any]] = {}
    for priority in sorted({r.priority for r in rows}):
        subset = [r for r in rows if r.priority == priority]
        by_priority[priority] = {
            "cases": len(subset),
            "first_response": _compliance([(r.first_response_due, r.first_responded_at) for r in subset], now),
            "resolution": _compliance([(r.resolution_due, r.resolved_at) for r in subset], now),
        }
    breached_open = [
        {
            "reference": r.reference,
            "status": r.status,
            "priority": r.priority,
            "assignee": r.assignee,
            "first_response_breached": is_breached(r.first_response_due, r.first_responded_at, now),
            "resolution_breached": is_breached(r.resolution_due, r.resolved_at, now),
            "resolution_due": r.resolution_due.isoformat() if r.resolution_due else None,
        }
        for r in open_rows
        if is_breached(r.first_response_due, r.first_responded_at, now)
        or is_breached(r.resolution_due, r.resolved_at, now)
    ]
    breached_open.sort(key=lambda r: r["resolution_due"] or "")
    return {
        "window": win.as_dict(),
        "cases": len(rows),
        "first_response": {
            **_compliance([(r.first_response_due, r.first_responded_at) for r in rows], now),
            **_durations(first),
        },
        "resolution": {**_compliance([(r.resolution_due, r.resolved_at) for r in rows], now), **_durations(resolved)},
        "by_priority": by_priority,
        "breached_open": breached_open,
    }


def satisfaction(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Satisfaction answers recorded in the window, reopened cases, and repeat complaints."""
    now = store.clock()
    win = window(now, since, until)
    with store.unit_of_work() as uow:
        answers = list(
            uow.session.execute(
                select(CaseEvent.case_id, CaseEvent.data, CaseEvent.created_at)
                .where(
                    CaseEvent.kind == "satisfaction_recorded",
                    CaseEvent.created_at >= win.start,
                    CaseEvent.created_at < win.end,
                )
                .order_by(CaseEvent.created_at, CaseEvent.id)
            )
        )
        reopen_rows = list(
            uow.session.execute(
                select(CaseEvent.case_id, CaseEvent.data).where(
                    CaseEvent.kind == "status_changed",
                    CaseEvent.created_at >= win.start,
                    CaseEvent.created_at < win.end,
                )
            )
        )
    latest: dict[int, int] = {}
    for row in answers:
        score = (row.data or {}).get("score")
        if isinstance(score, int):
            latest[row.case_id] = score
    scores = list(latest.values())
    distribution = Counter(scores)
    reopened = [r for r in reopen_rows if (r.data or {}).get("to") == "reopened"]
    return {
        "window": win.as_dict(),
        "answers": len(scores),
        "average": rounded(sum(scores) / len(scores), 2) if scores else None,
        "distribution": {str(s): distribution.get(s, 0) for s in range(1, 6)},
        "low_share": rounded(sum(1 for s in scores if s <= LOW_SCORE) / len(scores), 3) if scores else None,
        "reopened": len(reopened),
        "reopened_cases": len({r.case_id for r in reopened}),
        "repeat_complaints": repeat_complaints(store, since, until),
    }


def repeat_complaints(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Customers and products with more than one complaint logged in the window."""
    win = window(store.clock(), since, until)
    in_window = (Case.created_at >= win.start, Case.created_at < win.end)
    with store.unit_of_work() as uow:
        customers = uow.session.execute(
            select(Customer.email, Customer.name, func.count(Case.id).label("cases"))
            .join(Case, Case.customer_id == Customer.id)
            .where(*in_window)
            .group_by(Customer.id, Customer.email, Customer.name)
            .having(func.count(Case.id) > 1)
            .order_by(func.count(Case.id).desc(), Customer.email)
        )
        per_customer = [{"email": r.email, "name": r.name, "cases": int(r.cases)} for r in customers]
        products = uow.session.execute(
            select(Product.sku, Product.name, Product.line, func.count(Case.id).label("cases"))
            .join(Case, Case.product_id == Product.id)
            .where(*in_window)
            .group_by(Product.id, Product.sku, Product.name, Product.line)
            .having(func.count(Case.id) > 1)
            .order_by(func.count(Case.id).desc(), Product.sku)
        )
        per_product = [{"sku": r.sku, "name": r.name, "line": r.line, "cases": int(r.cases)} for r in products]
    return {"customers": per_customer, "products": per_product}
