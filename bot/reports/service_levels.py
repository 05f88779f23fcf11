"""SLA compliance, response and resolution times, satisfaction and repeat complaints.

SLA and satisfaction count every kind of case (a call-back has due times and a follow-up like a complaint) and
say so (``case_kinds: "all"``, SLA also ``by_kind``), or one kind when asked (``kind="callback"``: then
``case_kinds: ["callback"]``); repeat complaints count complaints only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Optional

from sqlalchemy import and_, case, func, or_, select

from bot.cases.models import Case, CaseEvent, Customer, Product
from bot.cases.sla import is_breached
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.reports.windows import hours, median, percentile, rounded, window
from bot.vocabulary import CASE_KINDS

LOW_SCORE = 2
ALL_KINDS = "all"
COMPLAINT = "complaint"


def check_kind(kind: Optional[str]) -> Optional[str]:
    """``kind`` when it is None or one of bot.vocabulary.CASE_KINDS; a ValueError naming them otherwise."""
    if kind is not None and kind not in CASE_KINDS:
        raise ValueError(f"unknown case kind {kind!r}; choose from {', '.join(CASE_KINDS)}")
    return kind


def _kinds_counted(kind: Optional[str]) -> Any:
    """What the report counts, for its JSON: ``"all"``, or ``[kind]``."""
    return [kind] if kind else ALL_KINDS


def _of_kind(kind: Optional[str]) -> tuple[Any, ...]:
    """The SQL condition for cases of ``kind`` (none for every kind)."""
    return (Case.kind == kind,) if kind else ()


def _durations(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "median_hours": rounded(median(values)), "p90_hours": rounded(percentile(values, 90))}


def _compliance_sums(due: Any, done: Any, now: dt.datetime) -> tuple[Any, Any]:
    """SQL sums of met and breached due times (``is_breached``'s rules).

    A due time counts once it is decided: the work is done, or the due time has passed.
    """
    met = func.sum(case((and_(due.is_not(None), done.is_not(None), done <= due), 1), else_=0))
    breached = func.sum(
        case(
            (and_(due.is_not(None), or_(and_(done.is_not(None), done > due), and_(done.is_(None), due < now))), 1),
            else_=0,
        )
    )
    return met, breached


def _counted(met: Any, breached: Any) -> dict[str, Any]:
    met, breached = int(met or 0), int(breached or 0)
    decided = met + breached
    return {"met": met, "breached": breached, "rate": rounded(met / decided, 3) if decided else None}


def sla(
    store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None, kind: Optional[str] = None
) -> dict[str, Any]:
    """SLA compliance and time to first response / resolution for cases logged in the window.

    Every kind of case, or only cases of ``kind`` (one of bot.vocabulary.CASE_KINDS; a ValueError otherwise),
    the breached open cases included. Compliance is counted in the database (``GROUP BY priority``); only the
    response and resolution times (for the medians) and the breached open cases are read row by row.
    """
    kinds = _of_kind(check_kind(kind))
    now = store.clock()
    win = window(now, since, until)
    in_window = (Case.created_at >= win.start, Case.created_at < win.end, *kinds)
    first_met, first_breached = _compliance_sums(Case.first_response_due, Case.first_responded_at, now)
    res_met, res_breached = _compliance_sums(Case.resolution_due, Case.resolved_at, now)
    with store.unit_of_work() as uow:
        counts = list(
            uow.session.execute(
                select(Case.priority, func.count(), first_met, first_breached, res_met, res_breached)
                .where(*in_window)
                .group_by(Case.priority)
            )
        )
        first = [
            hours(r.first_responded_at - r.created_at)
            for r in uow.session.execute(
                select(Case.created_at, Case.first_responded_at).where(*in_window, Case.first_responded_at.is_not(None))
            )
        ]
        resolved = [
            hours(r.resolved_at - r.created_at)
            for r in uow.session.execute(
                select(Case.created_at, Case.resolved_at).where(*in_window, Case.resolved_at.is_not(None))
            )
        ]
        open_rows = _open_breach_candidates(uow.session, now, kinds)
        by_kind = {
            str(counted or COMPLAINT): int(n)
            for counted, n in uow.session.execute(
                select(Case.kind, func.count()).where(*in_window).group_by(Case.kind).order_by(Case.kind)
            )
        }
    totals, by_priority = _by_priority(counts)
    return {
        "window": win.as_dict(),
        "case_kinds": _kinds_counted(kind),
        "cases": totals[0],
        "by_kind": by_kind,
        "first_response": {**_counted(totals[1], totals[2]), **_durations(first)},
        "resolution": {**_counted(totals[3], totals[4]), **_durations(resolved)},
        "by_priority": by_priority,
        "breached_open": _breached_open(open_rows, now),
    }


def _by_priority(counts: list[Any]) -> tuple[list[int], dict[str, dict[str, Any]]]:
    """Totals (cases, first response met / breached, resolution met / breached) overall and per priority."""
    by_priority: dict[str, dict[str, Any]] = {}
    totals = [0, 0, 0, 0, 0]
    for row in sorted(counts, key=lambda r: str(r.priority)):
        values = [int(v or 0) for v in row[1:]]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        by_priority[row.priority] = {
            "cases": values[0],
            "first_response": _counted(values[1], values[2]),
            "resolution": _counted(values[3], values[4]),
        }
    return totals, by_priority


def _open_breach_candidates(session: Any, now: dt.datetime, kinds: tuple[Any, ...] = ()) -> list[Any]:
    """Open cases (any time; only those matching ``kinds``) with a due time missed or passed, as SLA rows."""
    # One query per open status: each is a range of ix_cases_status_resolution_due, where a single
    # ``status IN (...)`` looks unselective to SQLite's planner (it scans the table).
    breach = or_(
        and_(Case.first_response_due.is_not(None), Case.first_responded_at > Case.first_response_due),
        and_(Case.first_response_due < now, Case.first_responded_at.is_(None)),
        and_(Case.resolution_due.is_not(None), Case.resolved_at > Case.resolution_due),
        and_(Case.resolution_due < now, Case.resolved_at.is_(None)),
    )
    return [
        row
        for status in sorted(s.value for s in OPEN_STATUSES)
        for row in session.execute(
            select(
                Case.reference,
                Case.status,
                Case.priority,
                Case.first_response_due,
                Case.first_responded_at,
                Case.resolution_due,
                Case.resolved_at,
                Case.assignee,
            ).where(Case.status == status, breach, *kinds)
        )
    ]


def _breached_open(open_rows: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    """The open cases past a due time (``is_breached``'s rules), soonest resolution due first."""
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
    return breached_open


def satisfaction(
    store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None, kind: Optional[str] = None
) -> dict[str, Any]:
    """Satisfaction answers recorded in the window, reopened cases, and repeat complaints.

    Answers and reopenings of every kind of case, or of cases of ``kind`` only (one of
    bot.vocabulary.CASE_KINDS; a ValueError otherwise); repeat complaints always count complaints only.
    A case's latest scored answer in the window counts (a window function picks it); scores and
    reopenings are counted in the database.
    """
    check_kind(kind)
    now = store.clock()
    win = window(now, since, until)
    in_window: tuple[Any, ...] = (CaseEvent.created_at >= win.start, CaseEvent.created_at < win.end)
    if kind:
        in_window += (CaseEvent.case_id.in_(select(Case.id).where(Case.kind == kind)),)
    score = CaseEvent.data["score"].as_integer()
    with store.unit_of_work() as uow:
        answers = (
            select(
                score.label("score"),
                func.row_number()
                .over(partition_by=CaseEvent.case_id, order_by=(CaseEvent.created_at.desc(), CaseEvent.id.desc()))
                .label("newest"),
            )
            .where(CaseEvent.kind == "satisfaction_recorded", *in_window, score.is_not(None))
            .subquery()
        )
        distribution: Counter[int] = Counter()
        for value, count in uow.session.execute(
            select(answers.c.score, func.count()).where(answers.c.newest == 1).group_by(answers.c.score)
        ):
            distribution[int(value)] += int(count)
        reopened, reopened_cases = uow.session.execute(
            select(func.count(), func.count(func.distinct(CaseEvent.case_id))).where(
                CaseEvent.kind == "status_changed", *in_window, CaseEvent.data["to"].as_string() == "reopened"
            )
        ).one()
    answered = sum(distribution.values())
    total = sum(s * n for s, n in distribution.items())
    low = sum(n for s, n in distribution.items() if s <= LOW_SCORE)
    return {
        "window": win.as_dict(),
        "case_kinds": _kinds_counted(kind),
        "answers": answered,
        "average": rounded(total / answered, 2) if answered else None,
        "distribution": {str(s): distribution.get(s, 0) for s in range(1, 6)},
        "low_share": rounded(low / answered, 3) if answered else None,
        "reopened": int(reopened or 0),
        "reopened_cases": int(reopened_cases or 0),
        "repeat_complaints": repeat_complaints(store, since, until),
    }


def repeat_complaints(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Customers and products with more than one complaint (``kind == 'complaint'``) logged in the window."""
    win = window(store.clock(), since, until)
    in_window = (Case.created_at >= win.start, Case.created_at < win.end, Case.kind == COMPLAINT)
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
