"""Subject access: everything we hold about one customer, as one JSON document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.cases.models import Case, CasePhoto, Order
from bot.cases.serialize import case_to_dict, follow_up_to_dict
from bot.cases.store import Store

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
        case_docs = []
        for case in cases:
            doc = case_to_dict(case, now, uow, with_events=True, with_transcript=True)
            doc.setdefault("follow_ups", [follow_up_to_dict(f) for f in uow.followups.for_case(case.id)])
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
            case_docs.append(doc)
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
            "orders": [
                {
                    "order_number": o.order_number,
                    "product": {"sku": o.product.sku, "name": o.product.name} if o.product is not None else None,
                    "size": o.size,
                    "colour": o.colour,
                    "quantity": o.quantity,
                    "order_date": _iso(o.order_date),
                    "delivery_date": _iso(o.delivery_date),
                }
                for o in orders
            ],
            "cases": case_docs,
            "satisfaction": [
                {"case": d["reference"], **(d.get("satisfaction") or {})} for d in case_docs if d.get("satisfaction")
            ],
        }
