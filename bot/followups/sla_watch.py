"""SLA warnings and breaches, each posted once per case and due time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.cases.models import Case, CaseEvent
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store


def check_slas(store: Store) -> list[dict[str, Any]]:
    """Record ``sla_warning`` (due within the warning window) and ``sla_breached`` events, once each."""
    now = store.clock()
    warn = store.sla_rules.warn_before
    alerts: list[dict[str, Any]] = []
    with store.unit_of_work() as uow:
        open_cases = uow.session.execute(
            select(Case).where(Case.status.in_([s.value for s in OPEN_STATUSES])).where(Case.resolution_due.isnot(None))
        ).unique()
        for case in open_cases.scalars():
            for target, due, done in (
                ("first_response", case.first_response_due, case.first_responded_at),
                ("resolution", case.resolution_due, case.resolved_at),
            ):
                if due is None or done is not None:
                    continue
                kind = "sla_breached" if now > due else "sla_warning" if now > due - warn else None
                if kind is None or _already(uow.session, case.id, kind, target):
                    continue
                data = {"target": target, "due": due.isoformat(), "priority": case.priority}
                uow.cases.append_event(case, kind, "scheduler", now, data)
                alerts.append({"reference": case.reference, "kind": kind, **data})
        uow.commit()
    return alerts


def _already(session: Any, case_id: int, kind: str, target: str) -> bool:
    rows = session.execute(select(CaseEvent.data).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind))
    return any((data or {}).get("target") == target for data in rows.scalars())


def breached(case: Case, now: dt.datetime) -> bool:
    """True when either due time of an open case has passed."""
    return any(d is not None and now > d for d in (case.first_response_due, case.resolution_due))
