"""Section 1, the complaint log: cases by kind, status, channel and priority, flow through the period, a case list.

Counts every kind of case (a call-back is logged and tracked like a complaint). The case list holds no names,
e-mail addresses, phone numbers or free text in a redacted pack; an unredacted pack adds the customer and the
customer's own description.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.cases.models import Case, CaseEvent, Customer
from bot.cases.status import CaseStatus
from bot.cases.store import Store
from bot.reports.windows import Window

# Rows of the case list (newest first); the pack says how many more the period holds.
CASE_LIST_LIMIT = 200
FINISHED = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)
DIMENSIONS = ("kind", "status", "channel", "priority")


def complaint_log(store: Store, win: Window, redacted: bool = True) -> dict[str, Any]:
    """Counts and the case list for cases logged in ``win`` (status as it is now), and the flow in the window."""
    in_window = (Case.created_at >= win.start, Case.created_at < win.end)
    with store.unit_of_work() as uow:
        session = uow.session
        by = {
            dim: {
                str(value or "-"): int(n)
                for value, n in session.execute(
                    select(getattr(Case, dim), func.count()).where(*in_window).group_by(getattr(Case, dim))
                )
            }
            for dim in DIMENSIONS
        }
        flow = _flow(session, win)
        cases = _case_list(session, in_window, redacted)
    opened = sum(by["kind"].values())
    return {
        "opened": opened,
        **flow,
        "by": {dim: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) for dim, counts in by.items()},
        "status_as_of": "now",
        "cases": cases,
        "cases_listed": len(cases),
        "cases_not_listed": max(0, opened - len(cases)),
    }


def _flow(session: Any, win: Window) -> dict[str, int]:
    """Cases resolved and closed in the window (from the audit trail), and cases still open when it ended.

    A case is open at the end of the window when it was logged before the end and its latest status change
    before the end (if any) did not leave it resolved or closed.
    """
    target = CaseEvent.data["to"].as_string()
    changes = (CaseEvent.kind == "status_changed", CaseEvent.created_at >= win.start, CaseEvent.created_at < win.end)
    resolved = session.execute(
        select(func.count(func.distinct(CaseEvent.case_id))).where(*changes, target == CaseStatus.RESOLVED.value)
    ).scalar_one()
    closed = session.execute(
        select(func.count(func.distinct(CaseEvent.case_id))).where(*changes, target == CaseStatus.CLOSED.value)
    ).scalar_one()
    latest = (
        select(
            target.label("status"),
            func.row_number()
            .over(partition_by=CaseEvent.case_id, order_by=(CaseEvent.created_at.desc(), CaseEvent.seq.desc()))
            .label("newest"),
        )
        .where(CaseEvent.kind == "status_changed", CaseEvent.created_at < win.end)
        .subquery()
    )
    finished = session.execute(
        select(func.count()).where(latest.c.newest == 1, latest.c.status.in_(FINISHED))
    ).scalar_one()
    logged = session.execute(select(func.count(Case.id)).where(Case.created_at < win.end)).scalar_one()
    return {"resolved": int(resolved or 0), "closed": int(closed or 0), "open_at_end": int(logged) - int(finished)}


def _case_list(session: Any, in_window: tuple[Any, ...], redacted: bool) -> list[dict[str, Any]]:
    """The newest cases of the window, without personal data unless the pack is unredacted."""
    stmt = (
        select(
            Case.reference,
            Case.created_at,
            Case.kind,
            Case.product_line,
            Case.defect_category,
            Case.component,
            Case.status,
            Case.resolution_type,
            Case.description,
            Customer.name.label("customer_name"),
            Customer.email.label("customer_email"),
        )
        .outerjoin(Customer, Case.customer_id == Customer.id)
        .where(*in_window)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(CASE_LIST_LIMIT)
    )
    rows = []
    for r in session.execute(stmt):
        row = {
            "reference": r.reference,
            "date": r.created_at.date().isoformat(),
            "kind": r.kind,
            "line": r.product_line or None,
            "defect": r.defect_category,
            "component": r.component or None,
            "status": r.status,
            "resolution": r.resolution_type,
        }
        if not redacted:
            row.update(
                customer_name=r.customer_name or None, customer_email=r.customer_email, description=r.description
            )
        rows.append(row)
    return rows


def customer_names(store: Store, win: Window) -> list[str]:
    """The names of the customers with a case logged in ``win`` (to redact them from staff free text)."""
    with store.unit_of_work() as uow:
        stmt = (
            select(Customer.name)
            .join(Case, Case.customer_id == Customer.id)
            .where(Case.created_at >= win.start, Case.created_at < win.end, Customer.name != "")
            .distinct()
        )
        return sorted({str(name) for name in uow.session.execute(stmt).scalars() if name})
