"""Demo data: where each demo order is (status, dispatch, carrier, tracking), and a few orders to try it on.

Uses a random generator of its own, so the demo orders and complaint history of :mod:`bot.catalogue.seed`
stay exactly as they were: only the optional orders CSV columns are added to them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

CARRIERS = ("Royal Mail Tracked 48", "DPD", "Evri", "DHL Parcel UK")
_TRACKING_PREFIX = {"Royal Mail Tracked 48": "RM", "DPD": "15", "Evri": "H0", "DHL Parcel UK": "JD"}
SHIPPING_COLUMNS = ("status", "dispatch_date", "expected_delivery_date", "carrier", "tracking_number")


def _tracking(rng: random.Random, carrier: str) -> str:
    return f"{_TRACKING_PREFIX[carrier]}{rng.randint(10**9, 10**10 - 1)}GB"


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def add_shipping(orders: list[dict[str, Any]], today: dt.date) -> None:
    """Give every demo order its status, dispatch date, carrier, tracking number and expected delivery date.

    Delivered orders went out the day after they were ordered; orders not delivered yet are either still being
    made up (``processing``) or on their way (``dispatched``), some of them past their expected date.
    """
    rng = random.Random(1807)
    for order in orders:
        ordered = _day(order["order_date"])
        carrier = rng.choice(CARRIERS)
        tracking = _tracking(rng, carrier)
        dispatched = ordered + dt.timedelta(days=1)
        if order["delivery_date"]:
            order.update(status="delivered", dispatch_date=dispatched.isoformat(), carrier=carrier)
            order.update(tracking_number=tracking, expected_delivery_date=order["delivery_date"])
        elif rng.random() < 0.3:
            expected = ordered + dt.timedelta(days=5)
            order.update(status="processing", dispatch_date="", carrier="", tracking_number="")
            order.update(expected_delivery_date=expected.isoformat())
        else:
            expected = dispatched + dt.timedelta(days=rng.choice([1, 2, 3]))  # some already overdue
            order.update(status="dispatched", dispatch_date=dispatched.isoformat(), carrier=carrier)
            order.update(tracking_number=tracking, expected_delivery_date=expected.isoformat())


# (number, name, sku, size, colour, ordered days ago, status, dispatched / expected / delivered days ago)
_EXTRA: list[tuple[str, str, str, str, str, int, str, int | None, int, int | None]] = [
    ("ORD-100241", "Hannah Price", "CMD-TR-01", "UK 6", "white", 1, "processing", None, -4, None),
    ("ORD-100242", "Marcus Bell", "PNN-WB-01", "UK 10", "brown", 3, "dispatched", 2, -1, None),
    ("ORD-100243", "Niamh Doyle", "AVN-HB-01", "UK 5", "black", 12, "dispatched", 10, 6, None),
    ("ORD-100244", "Samir Haddad", "BRX-BR-01", "UK 9", "chestnut", 8, "delivered", 7, 5, 5),
    ("ORD-100245", "Beth Morgan", "MRL-LF-01", "UK 7", "cognac", 25, "delivered", 24, 21, 21),
    ("ORD-100246", "Owen Parry", "LDL-SA-01", "One size", "chestnut", 50, "delivered", 49, 46, 46),
]


def extra_orders(today: dt.date) -> list[dict[str, Any]]:
    """Six orders at the end of the demo sequence, one for each thing a customer may ask about an order.

    Processing (ordered yesterday), on its way and not yet due, on its way and overdue, delivered 5 days ago
    (in the 14-day cancellation period), 21 days ago (the shop's own returns policy) and 46 days ago (closed).
    """
    rng = random.Random(2418)
    rows = []
    for number, name, sku, size, colour, ordered, status, sent, expected, delivered in _EXTRA:
        order_day = today - dt.timedelta(days=ordered)
        carrier = rng.choice(CARRIERS) if sent is not None else ""
        first, last = name.lower().split()
        rows.append(
            {
                "order_number": number,
                "customer_name": name,
                "customer_email": f"{first}.{last}{number[-3:]}@example.com",
                "sku": sku,
                "size": size,
                "colour": colour,
                "quantity": 1,
                "batch": f"{sku[:3]}-{order_day.year}-B{order_day.month:02d}",
                "order_date": order_day.isoformat(),
                "delivery_date": (today - dt.timedelta(days=delivered)).isoformat() if delivered is not None else "",
                "status": status,
                "dispatch_date": (today - dt.timedelta(days=sent)).isoformat() if sent is not None else "",
                "expected_delivery_date": (today - dt.timedelta(days=expected)).isoformat(),
                "carrier": carrier,
                "tracking_number": _tracking(rng, carrier) if carrier else "",
            }
        )
    return rows
