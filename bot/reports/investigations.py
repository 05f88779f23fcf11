"""Root-cause investigations of recurring themes, corrective actions and their verification."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional, Sequence

from sqlalchemy import func, select

from bot.cases.models import Case, CorrectiveAction, Investigation, Order, Product
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.vocabulary import DEFECT_CATEGORIES, ROOT_CAUSE_CATEGORIES, check_choice

# Recurring defects are counted over complaints only: a cancellation or a call-back is no fault.
COMPLAINT = "complaint"

log = logging.getLogger(__name__)

# Cases logged this long before an investigation opened belong to its theme.
THEME_LOOKBACK = dt.timedelta(days=90)


class InvestigationNotFound(LookupError):
    """No investigation or corrective action has the given id."""


def _theme_conditions(inv: Investigation) -> list[Any]:
    """The theme's cases: complaints (a fault) of its line, defect, component and batch."""
    conditions: list[Any] = [Case.kind == COMPLAINT]
    for column, value in (
        (Case.product_line, inv.product_line),
        (Case.defect_category, inv.defect_category),
        (Case.component, inv.component),
        (Case.batch, inv.batch),
    ):
        if value:
            conditions.append(column == value)
    return conditions


def _theme_cases(uow: UnitOfWork, inv: Investigation) -> list[Case]:
    """Cases of the theme logged in the lookback before the investigation opened (locked for events)."""
    stmt = (
        select(Case)
        .where(*_theme_conditions(inv))
        .where(Case.created_at >= inv.created_at - THEME_LOOKBACK, Case.created_at <= inv.created_at)
        .order_by(Case.id)
        .with_for_update(of=Case)
    )
    return list(uow.session.execute(stmt).unique().scalars())


def _record(uow: UnitOfWork, inv: Investigation, kind: str, actor: str, at: dt.datetime, data: dict[str, Any]) -> int:
    """Write ``kind`` as a case event on every case of the investigation's theme."""
    cases = _theme_cases(uow, inv)
    for case in cases:
        uow.cases.append_event(case, kind, actor, at, {"investigation_id": inv.id, **data})
    log.info("%s by %s on investigation %s (%d cases): %s", kind, actor, inv.id, len(cases), data)
    return len(cases)


def _date(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def investigation_to_dict(inv: Investigation, actions: Sequence[CorrectiveAction] = ()) -> dict[str, Any]:
    """JSON-ready investigation with its corrective actions."""
    return {
        "id": inv.id,
        "title": inv.title,
        "product_line": inv.product_line,
        "defect_category": inv.defect_category,
        "component": inv.component,
        "batch": inv.batch,
        "cause_category": inv.cause_category,
        "five_whys": list(inv.five_whys or []),
        "root_cause": inv.root_cause,
        "status": inv.status,
        "opened_by": inv.opened_by,
        "created_at": _date(inv.created_at),
        "actions": [action_to_dict(a) for a in actions],
    }


def action_to_dict(action: CorrectiveAction) -> dict[str, Any]:
    """JSON-ready corrective action."""
    return {
        "id": action.id,
        "investigation_id": action.investigation_id,
        "description": action.description,
        "owner": action.owner,
        "due_date": _date(action.due_date),
        "action_date": _date(action.action_date),
        "status": action.status,
        "verification": action.verification,
        "verified_at": _date(action.verified_at),
    }


def open_investigation(
    store: Store,
    *,
    product_line: Optional[str] = None,
    defect_category: Optional[str] = None,
    component: Optional[str] = None,
    batch: Optional[str] = None,
    cause_category: Optional[str] = None,
    five_whys: Sequence[str] = (),
    root_cause: Optional[str] = None,
    title: Optional[str] = None,
    actor: str,
) -> dict[str, Any]:
    """Open an investigation of a theme; every case of the theme gets an ``investigation_opened`` event."""
    if not any((product_line, defect_category, component, batch)):
        raise ValueError("an investigation needs a theme: a product line, defect category, component or batch")
    if defect_category:
        check_choice("defect category", defect_category, DEFECT_CATEGORIES)
    if cause_category:
        check_choice("cause category", cause_category, ROOT_CAUSE_CATEGORIES)
    whys = [w.strip()[:1000] for w in five_whys if w and w.strip()][:5]
    now = store.clock()
    theme = " / ".join(v for v in (product_line, batch, defect_category, component) if v)
    with store.unit_of_work() as uow:
        inv = Investigation(
            title=(title or f"Recurring {theme}").strip()[:200],
            product_line=product_line or None,
            defect_category=defect_category or None,
            component=component or None,
            batch=batch or None,
            cause_category=cause_category or None,
            five_whys=whys,
            root_cause=(root_cause or (whys[-1] if whys else None)),
            status="open",
            opened_by=actor,
            created_at=now,
        )
        uow.session.add(inv)
        uow.session.flush()
        linked = _record(
            uow,
            inv,
            "investigation_opened",
            actor,
            now,
            {"title": inv.title, "cause_category": inv.cause_category, "five_whys": whys},
        )
        result = investigation_to_dict(inv)
        result["cases"] = linked
        uow.commit()
        return result


def record_root_cause(
    store: Store,
    investigation_id: int,
    *,
    cause_category: str,
    five_whys: Sequence[str],
    root_cause: Optional[str] = None,
    actor: str,
) -> dict[str, Any]:
    """Record (or revise) the 5 Whys and cause category of an investigation."""
    check_choice("cause category", cause_category, ROOT_CAUSE_CATEGORIES)
    whys = [w.strip()[:1000] for w in five_whys if w and w.strip()][:5]
    with store.unit_of_work() as uow:
        inv = _investigation(uow, investigation_id)
        inv.cause_category = cause_category
        inv.five_whys = whys
        inv.root_cause = root_cause or (whys[-1] if whys else inv.root_cause)
        _record(
            uow,
            inv,
            "root_cause_recorded",
            actor,
            store.clock(),
            {"cause_category": cause_category, "five_whys": whys, "root_cause": inv.root_cause},
        )
        result = investigation_to_dict(inv, _actions(uow, inv.id))
        uow.commit()
        return result


def _investigation(uow: UnitOfWork, investigation_id: int) -> Investigation:
    inv = uow.session.get(Investigation, investigation_id, with_for_update=True)
    if inv is None:
        raise InvestigationNotFound(f"no investigation {investigation_id}")
    return inv


def _actions(uow: UnitOfWork, investigation_id: int) -> list[CorrectiveAction]:
    stmt = select(CorrectiveAction).where(CorrectiveAction.investigation_id == investigation_id)
    return list(uow.session.execute(stmt.order_by(CorrectiveAction.id)).unique().scalars())


def add_corrective_action(
    store: Store,
    investigation_id: int,
    description: str,
    owner: str,
    due_date: Optional[dt.date] = None,
    action_date: Optional[dt.date] = None,
    actor: str = "system",
) -> dict[str, Any]:
    """Add a corrective action to an investigation (recorded on the theme's cases)."""
    description, owner = description.strip(), owner.strip()
    if not description or not owner:
        raise ValueError("a corrective action needs a description and an owner")
    with store.unit_of_work() as uow:
        inv = _investigation(uow, investigation_id)
        action = CorrectiveAction(
            investigation_id=inv.id,
            description=description[:4000],
            owner=owner[:120],
            due_date=due_date,
            action_date=action_date,
            status="done" if action_date else "planned",
            created_at=store.clock(),
        )
        uow.session.add(action)
        uow.session.flush()
        _record(
            uow,
            inv,
            "corrective_action_added",
            actor,
            store.clock(),
            {
                "action_id": action.id,
                "description": action.description,
                "owner": action.owner,
                "due_date": _date(due_date),
                "action_date": _date(action_date),
            },
        )
        result = action_to_dict(action)
        uow.commit()
        return result


def _rate(uow: UnitOfWork, inv: Investigation, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    cases = int(
        uow.session.execute(
            select(func.count(Case.id)).where(*_theme_conditions(inv), Case.created_at >= start, Case.created_at < end)
        ).scalar_one()
    )
    orders = 0
    if inv.product_line:
        orders = int(
            uow.session.execute(
                select(func.count(Order.id))
                .join(Product, Order.product_id == Product.id)
                .where(
                    Product.line == inv.product_line, Order.order_date >= start.date(), Order.order_date < end.date()
                )
            ).scalar_one()
        )
    days = max((end - start).total_seconds() / 86400, 1e-9)
    return {"from": start.isoformat(), "to": end.isoformat(), "days": round(days, 1), "cases": cases, "orders": orders}


def verify_action(store: Store, action_id: int, window_days: int = 30, actor: str = "system") -> dict[str, Any]:
    """Compare the theme's complaint rate before and after the action date, side by side.

    The rate is cases per 100 orders of the product line when both windows have orders,
    else cases per 30 days. The after window ends at most at the current time.
    """
    if window_days <= 0:
        raise ValueError("the verification window must be at least one day")
    now = store.clock()
    with store.unit_of_work() as uow:
        stmt = select(CorrectiveAction).where(CorrectiveAction.id == action_id).with_for_update(of=CorrectiveAction)
        action = uow.session.execute(stmt).unique().scalar_one_or_none()
        if action is None:
            raise InvestigationNotFound(f"no corrective action {action_id}")
        if action.action_date is None:
            raise ValueError("the action has no action date yet; record when it was done first")
        inv = _investigation(uow, int(action.investigation_id))
        pivot = dt.datetime.combine(action.action_date, dt.time(), dt.timezone.utc)
        span = dt.timedelta(days=window_days)
        before = _rate(uow, inv, pivot - span, pivot)
        after = _rate(uow, inv, pivot, min(pivot + span, now))
        if after["days"] < 1:
            raise ValueError("the action date is today or in the future; there is nothing to compare yet")
        verification = _compare(before, after, window_days, complete=pivot + span <= now)
        action.verification = verification
        action.verified_at = now
        if not verification["complete"]:
            action.status = "monitoring"  # the after window is still running: too early to judge
        else:
            action.status = "effective" if verification["improved"] else "not_effective"
        _record(
            uow,
            inv,
            "corrective_action_verified",
            actor,
            now,
            {
                "action_id": action.id,
                "improved": verification["improved"],
                "before": before["rate"],
                "after": after["rate"],
                "unit": verification["unit"],
            },
        )
        uow.commit()
        return verification


def _compare(before: dict[str, Any], after: dict[str, Any], window_days: int, complete: bool) -> dict[str, Any]:
    """The two windows' rates (per 100 orders when both had orders, else per 30 days), change and verdict.

    Sets ``rate`` on ``before`` and ``after``.
    """
    per_orders = before["orders"] > 0 and after["orders"] > 0
    unit = "cases per 100 orders" if per_orders else "cases per 30 days"
    for side in (before, after):
        per = side["cases"] * 100 / side["orders"] if per_orders else side["cases"] * 30 / side["days"]
        side["rate"] = round(per, 3)
    change = None if before["rate"] == 0 else round((after["rate"] - before["rate"]) * 100 / before["rate"], 1)
    return {
        "unit": unit,
        "window_days": window_days,
        "before": before,
        "after": after,
        "change_pct": change,
        "improved": after["rate"] < before["rate"],
        "complete": complete,
    }


def list_investigations(store: Store) -> list[dict[str, Any]]:
    """Every investigation with its corrective actions, newest first."""
    with store.unit_of_work() as uow:
        invs = list(uow.session.execute(select(Investigation).order_by(Investigation.id.desc())).scalars())
        return [investigation_to_dict(inv, _actions(uow, inv.id)) for inv in invs]
