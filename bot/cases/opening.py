"""Opening a case: one unit of work writes the case, its events, transcript, follow-up and photos.

A retried request with the same idempotency key gets the case already logged, never a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Optional

from sqlalchemy.exc import IntegrityError

from bot.cases.aggregate import follow_up_delay, link_pending_photos, schedule_follow_up
from bot.cases.case_json import case_to_dict
from bot.cases.drafts import CaseDraft, OpenedCase, TranscriptTurn
from bot.cases.models import Case, Customer, Order, Product, TranscriptLine
from bot.cases.priority import Severity, assess_severity
from bot.cases.status import CaseStatus
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.patterns import PHONE
from bot.vocabulary import CASE_KINDS, DEFECT_CATEGORIES, RESOLUTION_TYPES, check_choice

CALLBACK_AT_MAX = 200


@dataclass(frozen=True)
class _Known:
    """What the catalogue knows about the draft's order, item and customer."""

    order: Optional[Order]
    product: Optional[Product]
    ordered: Optional[Order]  # the order, only when it is for the same item as the case
    customer: Optional[Customer]


def open_case(store: Store, draft: CaseDraft, actor: str = "bot") -> OpenedCase:
    """Log a new case (or return the one already logged with the same idempotency key).

    The case, its events, transcript snapshot, follow-up and the photos sent before it was logged are
    written in one transaction: a failure anywhere leaves nothing of the case behind.
    """
    _check_vocabulary(draft)
    try:
        with store.unit_of_work() as uow:
            existing = uow.cases.get_by_idempotency_key(draft.idempotency_key) if draft.idempotency_key else None
            if existing is not None:
                return OpenedCase(case_to_dict(existing, store.clock()), created=False)
            now = store.clock()
            case = _write_case(store, uow, draft, actor, now)
            result = case_to_dict(case, now)
            uow.commit()
            return OpenedCase(result, created=True)
    except IntegrityError:
        # Another process logged the same request first: answer with its case.
        found = _existing(store, draft.idempotency_key) if draft.idempotency_key else None
        if found is None:
            raise
        return OpenedCase(found, created=False)


def _check_vocabulary(draft: CaseDraft) -> None:
    check_choice("case kind", draft.kind, CASE_KINDS)
    if draft.customer_phone and PHONE.fullmatch(draft.customer_phone.strip()) is None:
        raise ValueError("customer_phone is not a phone number")  # the number itself never goes in a message
    check_choice("defect category", draft.defect_category, DEFECT_CATEGORIES)
    if draft.secondary_defect_category:
        check_choice("secondary defect category", draft.secondary_defect_category, DEFECT_CATEGORIES)
    if draft.resolution_type:
        check_choice("resolution type", draft.resolution_type, RESOLUTION_TYPES)


def _existing(store: Store, key: str) -> Optional[dict[str, Any]]:
    with store.unit_of_work() as uow:
        case = uow.cases.get_by_idempotency_key(key)
        return case_to_dict(case, store.clock()) if case is not None else None


def _write_case(store: Store, uow: UnitOfWork, draft: CaseDraft, actor: str, now: dt.datetime) -> Case:
    """Stage the case with everything that belongs to it; the caller commits."""
    known = _look_up(uow, draft)
    severity = assess_severity(draft.description, draft.defect_category, draft.component, draft.injury_reported)
    case = _new_case(store, draft, known, severity, now)
    case.reference = uow.cases.next_reference(now.year)
    uow.cases.add(case)
    _record_opening(uow, case, draft, severity, actor, now)
    uow.cases.add_transcript(case, (transcript_line(t) for t in draft.transcript))
    delay = follow_up_delay(store, case.resolution_type)
    schedule_follow_up(uow, case, case.resolution_due, delay, actor, now)
    if draft.conversation_id:
        link_pending_photos(uow, case, now)
    uow.session.flush()
    return case


def transcript_line(turn: TranscriptTurn) -> TranscriptLine:
    """The stored line of one transcript turn (a bot line keeps its stage and wording id)."""
    return TranscriptLine(
        speaker=turn.speaker,
        actor=turn.actor,
        text=turn.text,
        intent=turn.intent,
        said_at=turn.at,
        stage=turn.stage or None,
        message_id=turn.message_id or None,
    )


def _look_up(uow: UnitOfWork, draft: CaseDraft) -> _Known:
    order = uow.catalogue.order(draft.order_number) if draft.order_number else None
    # The item the customer confirmed (it can differ from the order's when they said so); else the order's.
    product = (uow.catalogue.product(draft.sku) if draft.sku else None) or (
        order.product if order is not None else None
    )
    # Batch, size and colour on the order describe the order's item, not another one.
    ordered = order if order is not None and product is not None and order.product_id == product.id else None
    email = draft.customer_email or (order.customer.email if order is not None else None)
    name = draft.customer_name or (order.customer.name if order is not None else "")
    return _Known(order, product, ordered, _customer(uow, draft, email, name))


def _customer(uow: UnitOfWork, draft: CaseDraft, email: Optional[str], name: str) -> Optional[Customer]:
    """The customer by e-mail (created when new), with the phone number the draft gives.

    A customer known only by a phone number (a call-back without an e-mail) gets a row of their own: a number
    is never used to match someone already known.
    """
    customer = uow.catalogue.get_or_create_customer(email, name)
    phone = (draft.customer_phone or "").strip()
    if not phone:
        return customer
    if customer is None:
        customer = Customer(email=None, name=name.strip(), phone=phone)
        uow.session.add(customer)
        uow.session.flush()
    else:
        customer.phone = phone
    return customer


def _new_case(store: Store, draft: CaseDraft, known: _Known, severity: Severity, now: dt.datetime) -> Case:
    order, product, ordered = known.order, known.product, known.ordered
    first_due, resolution_due = store.sla_rules.due_times(severity.priority, now)
    return Case(
        idempotency_key=draft.idempotency_key,
        kind=draft.kind,
        status=CaseStatus.NEW.value,
        priority=severity.priority,
        channel=draft.channel,
        conversation_id=draft.conversation_id,
        customer_id=known.customer.id if known.customer else None,
        order_id=order.id if order is not None else None,
        product_id=product.id if product is not None else None,
        order_number=order.order_number if order is not None else draft.order_number,
        product_line=product.line if product is not None else None,
        batch=ordered.batch if ordered is not None else None,
        size=draft.size or (ordered.size if ordered is not None else None),
        colour=draft.colour or (ordered.colour if ordered is not None else None),
        defect_category=draft.defect_category,
        component=draft.component,
        secondary_defect_category=_secondary(draft),
        description=draft.description,
        purchase_date=draft.purchase_date or (order.order_date if order is not None else None),
        delivery_date=draft.delivery_date or (order.delivery_date if order is not None else None),
        safety_issue=severity.safety_issue,
        injury_reported=draft.injury_reported,
        callback_at=(draft.callback_at or "").strip()[:CALLBACK_AT_MAX] or None,
        resolution_type=draft.resolution_type,
        resolution_reason=draft.resolution_reason,
        first_response_due=first_due,
        resolution_due=resolution_due,
        created_at=now,
        updated_at=now,
    )


def _record_opening(
    uow: UnitOfWork, case: Case, draft: CaseDraft, severity: Severity, actor: str, now: dt.datetime
) -> None:
    """The events of a new case: created, escalated when it may be unsafe, resolution agreed, the draft's extras."""
    uow.cases.append_event(case, "case_created", actor, now, {"facts": _facts(draft), "priority": severity.priority})
    if severity.safety_issue:
        escalation = {"to": "supervisor", "reason": "possible safety issue", "why": list(severity.reasons)}
        uow.cases.append_event(case, "escalated", actor, now, escalation)
    if draft.resolution_type:
        agreed = {"type": draft.resolution_type, "reason": draft.resolution_reason or ""}
        uow.cases.append_event(case, "resolution_agreed", actor, now, agreed)
    for extra in draft.extra_events:
        kind, by = str(extra["kind"]), str(extra.get("actor") or actor)
        uow.cases.append_event(case, kind, by, now, extra.get("data") or {})


def _facts(draft: CaseDraft) -> dict[str, Any]:
    facts = asdict(draft)
    facts.pop("transcript", None)
    facts.pop("idempotency_key", None)
    facts.pop("extra_events", None)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items() if v not in (None, "")}


def _secondary(draft: CaseDraft) -> Optional[str]:
    """The second fault, when it is a real category and differs from the main one."""
    secondary = draft.secondary_defect_category
    if not secondary or secondary == draft.defect_category:
        return None
    return secondary
