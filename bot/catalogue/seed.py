"""Demo data: a catalogue, orders and a few months of complaint history.

Everything is deterministic and idempotent: running the seed twice changes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from bot.cases import service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.catalogue.demo_shipping import SHIPPING_COLUMNS, add_shipping, extra_orders
from bot.catalogue.importer import ORDER_COLUMNS, import_catalogue, import_orders
from bot.clock import FrozenClock

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "demo"

FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Harry",
    "Mia",
    "Noah",
    "Freya",
    "Jack",
    "Grace",
    "Leo",
    "Priya",
    "Arjun",
    "Siobhan",
    "Callum",
    "Aisha",
    "Tomasz",
    "Chloe",
    "Dylan",
    "Ffion",
    "Rhys",
    "Zara",
    "Ewan",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Patel",
    "Khan",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Murphy",
    "Kowalski",
    "MacDonald",
    "Hughes",
    "Green",
    "Hall",
    "Clarke",
]

# (defect, component, resolution, description template, weight)
COMPLAINTS: list[tuple[str, str | None, str, str, int]] = [
    ("stitching", "stitching", "repair", "The stitching on the {name} has come undone along the side seam.", 5),
    ("sole_separation", "sole", "replacement", "The sole of my {name} is peeling away from the upper at the toe.", 4),
    ("heel_detachment", "heel", "replacement", "The heel on my {name} has come loose and wobbles.", 2),
    ("upper_damage", "upper", "repair", "There is a tear in the upper of the {name} near the lace holes.", 2),
    ("leather_finish", "upper", "replacement", "The leather on my {name} is cracking across the flex point.", 3),
    ("sizing_fit", None, "exchange", "The {name} is far too tight, it feels a full size smaller than usual.", 3),
    ("colour_mismatch", None, "exchange", "The {name} is a much darker shade than the photos on the website.", 2),
    ("hardware", "buckle", "repair", "The buckle on the {name} snapped off after a week.", 2),
    ("lining_insole", "insole", "replacement", "The insole of the {name} keeps sliding out and is bunching up.", 2),
    ("odour_or_stain", None, "refund", "The dye from the {name} has stained my socks blue.", 1),
    ("wrong_item", None, "exchange", "I ordered the {name} but received a different product.", 1),
    ("damaged_in_transit", "packaging", "replacement", "The box was crushed and the {name} arrived scuffed.", 1),
    ("late_delivery", None, "partial_refund", "My {name} still has not arrived, it is over a week late.", 2),
]


def _at(store: Store, moment: dt.datetime) -> Store:
    """The same store with its clock fixed at ``moment`` (to write history)."""
    return dataclasses.replace(store, clock=FrozenClock(moment))


SPIKE_SKU = "HGT-CB-01"
SPIKE_BATCH = "HGT-2026-B07"


def _demo_orders(rng: random.Random, today: dt.date, products: list[dict[str, str]]) -> list[dict[str, Any]]:
    orders = []
    for i in range(240):
        product = rng.choice(products)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        order_date = today - dt.timedelta(days=rng.randint(3, 400))
        delivered = order_date + dt.timedelta(days=rng.randint(2, 6))
        sizes = [s for s in product["sizes"].split(";") if s] or ["One size"]
        colours = [c for c in product["colours"].split(";") if c] or [""]
        batch = f"{product['sku'][:3]}-{order_date.year}-B{order_date.month:02d}"
        if product["sku"] == SPIKE_SKU and (today - order_date).days < 60:
            batch = SPIKE_BATCH
        # Order numbers come in the formats real shops use: web orders, store orders, phone orders.
        number = f"ORD-{100001 + i}" if i % 10 else f"STR/{2000 + i}/LDN"
        orders.append(
            {
                "order_number": number,
                "customer_name": f"{first} {last}",
                "customer_email": f"{first}.{last}{i}@example.com".lower(),
                "sku": product["sku"],
                "size": rng.choice(sizes),
                "colour": rng.choice(colours),
                "quantity": 1,
                "batch": batch,
                "order_date": order_date.isoformat(),
                "delivery_date": delivered.isoformat() if delivered < today else "",
            }
        )
    return orders


def seed_demo(store: Store, today: dt.date | None = None, with_cases: bool = True) -> dict[str, Any]:
    """Load the demo catalogue, orders and (optionally) complaint history."""
    today = today or store.clock().date()
    rng = random.Random(2026)
    catalogue_file = DEMO_DIR / "catalogue.csv"
    catalogue = import_catalogue(store, catalogue_file)
    with open(catalogue_file, encoding="utf-8") as handle:
        products = list(csv.DictReader(handle))
    orders = _demo_orders(rng, today, products)
    add_shipping(orders, today)
    with tempfile.TemporaryDirectory() as tmp:
        orders_file = Path(tmp) / "orders.csv"
        with open(orders_file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*ORDER_COLUMNS, *SHIPPING_COLUMNS])
            writer.writeheader()
            writer.writerows(orders)
            # A few orders to try order status, cancelling and returns on; not part of the complaint history.
            writer.writerows(extra_orders(today))
        order_report = import_orders(store, orders_file)
    created = 0
    if with_cases:
        created = _seed_cases(store, rng, today, orders, {row["sku"]: row["name"] for row in products})
        _settle_past_follow_ups(store)
    return {"catalogue": catalogue.as_dict(), "orders": order_report.as_dict(), "cases_created": created}


_Complaint = tuple[str, str | None, str, str, int]


def _seed_cases(
    store: Store, rng: random.Random, today: dt.date, orders: list[dict[str, Any]], names: dict[str, str]
) -> int:
    """Open the demo complaints (ages 1-120 days, plus a recent stitching spike) and move them along; how many."""
    weights = [c[4] for c in COMPLAINTS]
    delivered = [o for o in orders if o["delivery_date"]]
    created = 0
    plan: list[tuple[dict[str, Any], _Complaint, int]] = []
    for _ in range(90):
        order = rng.choice(delivered)
        plan.append((order, rng.choices(COMPLAINTS, weights)[0], rng.randint(1, 120)))
    # A recurring fault: the stitching on one Harrogate batch fails again and again in the last three weeks.
    spike_orders = [o for o in delivered if o["batch"] == SPIKE_BATCH] or delivered[:4]
    for n in range(6):
        plan.append((spike_orders[n % len(spike_orders)], COMPLAINTS[0], 2 + n * 3))
    for index, (order, complaint, age_days) in enumerate(plan):
        defect, component, resolution, template, _w = complaint
        opened_at = dt.datetime.combine(
            today - dt.timedelta(days=age_days), dt.time(9 + index % 8, 7 * index % 60), dt.timezone.utc
        )
        description = template.format(name=names.get(order["sku"], "item"))
        opened = service.open_case(
            _at(store, opened_at),
            CaseDraft(
                description=description,
                channel=rng.choice(["socketio", "socketio", "slack", "rest"]),
                conversation_id=f"demo-{index:04d}",
                order_number=order["order_number"],
                defect_category=defect,
                component=component,
                resolution_type=resolution,
                resolution_reason="agreed in chat under the returns policy",
                idempotency_key=f"seed-case-{index}",
                transcript=_demo_transcript(description, order, resolution, opened_at, skip_read_back=index % 7 == 3),
            ),
        )
        if not opened.created:
            continue
        created += 1
        _demo_history(store, rng, opened.reference, opened_at, age_days, defect, resolution)
    return created


def _demo_history(
    store: Store,
    rng: random.Random,
    reference: str,
    opened_at: dt.datetime,
    age_days: int,
    defect: str,
    resolution: str,
) -> None:
    """What happened to a demo case since: assigned after 3 days, resolved after 8, rated after 20."""
    if age_days <= 3:
        return
    staff = rng.choice(["sam.okafor", "lucy.hale", "dev.patel"])
    triage_at = opened_at + dt.timedelta(hours=rng.choice([1, 2, 5, 20, 30]))
    service.assign_case(_at(store, triage_at), reference, staff, staff)
    if age_days <= 8:
        return
    done_at = opened_at + dt.timedelta(days=rng.choice([1, 2, 3, 4, 6, 9]))
    service.resolve_case(
        _at(store, done_at),
        reference,
        resolution,
        staff,
        note="carried out as agreed",
        root_cause="loose thread tension on closing machine" if defect == "stitching" else None,
        root_cause_category="machine" if defect == "stitching" else None,
    )
    if age_days <= 20:
        return
    answer_at = done_at + dt.timedelta(days=7)
    score = rng.choices([5, 4, 3, 2, 1], [5, 4, 2, 1, 1])[0]
    service.record_satisfaction(
        _at(store, answer_at),
        reference,
        score=score,
        solved=score > 2,
        comment="" if score > 2 else "still not right",
    )


def _demo_transcript(
    description: str, order: dict[str, Any], resolution: str, at: dt.datetime, skip_read_back: bool
) -> list[TranscriptTurn]:
    """A plausible conversation behind a demo case (a few skip the read-back, as real ones sometimes did)."""
    minute = dt.timedelta(minutes=1)
    turns = [
        TranscriptTurn("customer", description, at),
        _said(
            "Thank you for telling me about this. I'm really sorry about this. "
            "I'll take care of it from here and make sure it's put right.",
            at,
            "listen",
            "listen.heard_about_order",
        ),
        _said(
            "What's your order number? You'll find it in your order confirmation email.",
            at,
            "understand",
            "ask.order_number",
        ),
        TranscriptTurn("customer", order["order_number"], at + minute),
    ]
    if not skip_read_back:
        turns += [
            _said(
                f"Here's what I have so far:\n- Order: {order['order_number']}\nIs that all correct?",
                at + minute,
                "understand",
                "read_back.intro",
            ),
            TranscriptTurn("customer", "yes", at + 2 * minute),
        ]
    turns += [
        _said(
            "Under our returns policy you can choose a remedy.\nWhich would you prefer?",
            at + 2 * minute,
            "resolve",
            "resolve.question",
        ),
        TranscriptTurn("customer", resolution.replace("_", " ") + " please", at + 3 * minute),
        _said(
            f"To confirm: I'll log your case for a {resolution.replace('_', ' ')}.\nShall I go ahead?",
            at + 3 * minute,
            "confirm",
            "confirm.question",
        ),
        TranscriptTurn("customer", "yes", at + 4 * minute),
        _said(
            "Thank you. I've logged your case. Your reference is shown above; please keep it handy.",
            at + 4 * minute,
            "confirm",
            "confirm.case_logged",
        ),
    ]
    return turns


def _said(text: str, at: dt.datetime, stage: str, message_id: str) -> TranscriptTurn:
    """A demo bot line with the stage and wording id of the message it stands for."""
    return TranscriptTurn("bot", text, at, stage=stage, message_id=message_id)


def _settle_past_follow_ups(store: Store) -> None:
    """Demo history: follow-ups that fell due in the past count as sent, so the worker leaves them alone."""
    from sqlalchemy import update

    from bot.cases.models import FollowUp

    with store.unit_of_work() as uow:
        uow.session.execute(
            update(FollowUp)
            .where(
                FollowUp.status == "pending", FollowUp.due_at < store.clock(), FollowUp.conversation_id.like("demo-%")
            )
            .values(status="sent", sent_at=FollowUp.due_at)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
