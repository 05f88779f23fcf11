"""Subject access: everything we hold about one customer, as one JSON document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.cases.models import Case, CasePhoto, Order
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.cases.views import case_json

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def subject_access(store: Store, email: str) -> dict[str, Any]:
    """The customer row, orders, cases (events, transcripts, follow-ups, photos, satisfaction) of ``email``.

    Only this customer's rows are read (by customer id); raises ``ValueError`` for an unknown e-mail.
    """
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ValueError("give the customer's e-mail address")
    with store.unit_of_work() as uow:
        customer = uow.catalogue.customer_by_email(email)
        if customer is None:
            raise ValueError("no customer with that e-mail address (never known, or erased)")
        now = store.clock()
        orders = (
            uow.session.execute(
                select(Order).where(Order.customer_id == customer.id).order_by(Order.order_date, Order.id)
            )
            .unique()
            .scalars()
        )
        cases = (
            uow.session.execute(select(Case).where(Case.customer_id == customer.id).order_by(Case.created_at, Case.id))
            .unique()
            .scalars()
        )
        case_docs = [_case_document(uow, case, now) for case in cases]
        return {
            "format_version": FORMAT_VERSION,
            "generated_at": now.isoformat(),
            "customer": {
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "slack_user_id": customer.slack_user_id,
                "created_at": _iso(customer.created_at),
            },
            "orders": [_order_document(o) for o in orders],
            "cases": case_docs,
            "satisfaction": [
                {"case": d["reference"], **(d.get("satisfaction") or {})} for d in case_docs if d.get("satisfaction")
            ],
        }


def _case_document(uow: UnitOfWork, case: Case, now: dt.datetime) -> dict[str, Any]:
    """One case as in ``complaints cases show`` (events, transcript), with its follow-ups and photo details."""
    doc = case_json(uow, case, now, with_events=True, with_transcript=True)
    photos = uow.session.execute(select(CasePhoto).where(CasePhoto.case_id == case.id)).scalars()
    doc["photos"] = [
        {
            "filename": p.filename,
            "original_name": p.original_name,
            "content_type": p.content_type,
            "size_bytes": p.size_bytes,
            "sha256": p.sha256,
            "uploaded_at": _iso(p.uploaded_at),
        }
        for p in photos
    ]
    return doc


def _order_document(order: Order) -> dict[str, Any]:
    """One order: its product, size, colour, quantity and dates."""
    return {
        "order_number": order.order_number,
        "product": {"sku": order.product.sku, "name": order.product.name} if order.product is not None else None,
        "size": order.size,
        "colour": order.colour,
        "quantity": order.quantity,
        "order_date": _iso(order.order_date),
        "delivery_date": _iso(order.delivery_date),
    }
