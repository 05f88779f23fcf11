"""Case operations: every change goes through here and writes an audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from sqlalchemy.exc import IntegrityError

from bot.cases.models import Case, FollowUp, TranscriptLine
from bot.cases.priority import assess_severity
from bot.cases.serialize import case_to_dict
from bot.cases.status import CaseStatus, check_transition
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.cases.vocabulary import DEFECT_CATEGORIES, PRIORITIES, RESOLUTION_TYPES, check_choice
from bot.data_files import read_yaml


class CaseNotFound(LookupError):
    """No case has the given reference."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no case with reference {reference!r}")
        self.reference = reference


@dataclass
class TranscriptTurn:
    """One line of a conversation, as handed over by a channel or the bot."""

    speaker: str  # customer | bot | staff | system
    text: str
    at: Optional[dt.datetime] = None
    actor: Optional[str] = None
    intent: Optional[str] = None


@dataclass
class CaseDraft:
    """The facts gathered in a conversation, ready to become a case."""

    description: str
    channel: str = "rest"
    conversation_id: Optional[str] = None
    customer_name: str = ""
    customer_email: Optional[str] = None
    order_number: Optional[str] = None
    sku: Optional[str] = None
    size: Optional[str] = None
    colour: Optional[str] = None
    defect_category: str = "other"
    component: Optional[str] = None
    secondary_defect_category: Optional[str] = None
    purchase_date: Optional[dt.date] = None
    delivery_date: Optional[dt.date] = None
    injury_reported: Optional[bool] = None
    resolution_type: Optional[str] = None
    resolution_reason: Optional[str] = None
    idempotency_key: Optional[str] = None
    transcript: list[TranscriptTurn] = field(default_factory=list)
    # Events recorded in the same transaction as the case (e.g. a request for a person made while the
    # case was being logged), so a crash can never leave the case without them or record them twice.
    extra_events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class OpenedCase:
    """The result of :func:`open_case`."""

    case: dict[str, Any]
    created: bool

    @property
    def reference(self) -> str:
        """The case reference."""
        return str(self.case["reference"])


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


def open_case(store: Store, draft: CaseDraft, actor: str = "bot") -> OpenedCase:
    """Log a new case (or return the one already logged with the same idempotency key)."""
    check_choice("defect category", draft.defect_category, DEFECT_CATEGORIES)
    if draft.secondary_defect_category:
        check_choice("secondary defect category", draft.secondary_defect_category, DEFECT_CATEGORIES)
    if draft.resolution_type:
        check_choice("resolution type", draft.resolution_type, RESOLUTION_TYPES)
    if draft.idempotency_key:
        existing = _existing(store, draft.idempotency_key)
        if existing is not None:
            return OpenedCase(existing, created=False)
    try:
        created = _insert_case(store, draft, actor)
    except IntegrityError:
        if draft.idempotency_key:
            existing = _existing(store, draft.idempotency_key)
            if existing is not None:
                return OpenedCase(existing, created=False)
        raise
    if draft.conversation_id:
        from bot.cases.photos import attach_pending

        attach_pending(store, created["reference"])
    return OpenedCase(created, created=True)


def _existing(store: Store, key: str) -> Optional[dict[str, Any]]:
    with store.unit_of_work() as uow:
        case = uow.cases.get_by_idempotency_key(key)
        return case_to_dict(case, store.clock(), uow) if case is not None else None


def _insert_case(store: Store, draft: CaseDraft, actor: str) -> dict[str, Any]:
    now = store.clock()
    with store.unit_of_work() as uow:
        order = uow.catalogue.order(draft.order_number) if draft.order_number else None
        # The item the customer confirmed (it can differ from the order's when they said so); else the order's.
        product = (uow.catalogue.product(draft.sku) if draft.sku else None) or (
            order.product if order is not None else None
        )
        # Batch, size and colour on the order describe the order's item, not another one.
        ordered = order if order is not None and product is not None and order.product_id == product.id else None
        email = draft.customer_email or (order.customer.email if order is not None else None)
        name = draft.customer_name or (order.customer.name if order is not None else "")
        customer = uow.catalogue.get_or_create_customer(email, name)
        severity = assess_severity(draft.description, draft.defect_category, draft.component, draft.injury_reported)
        first_due, resolution_due = store.sla_rules.due_times(severity.priority, now)
        reference = uow.cases.next_reference(now.year)
        case = Case(
            reference=reference,
            idempotency_key=draft.idempotency_key,
            status=CaseStatus.NEW.value,
            priority=severity.priority,
            channel=draft.channel,
            conversation_id=draft.conversation_id,
            customer_id=customer.id if customer else None,
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
            resolution_type=draft.resolution_type,
            resolution_reason=draft.resolution_reason,
            first_response_due=first_due,
            resolution_due=resolution_due,
            created_at=now,
            updated_at=now,
        )
        uow.cases.add(case)
        uow.cases.append_event(
            case, "case_created", actor, now, {"facts": _facts(draft), "priority": severity.priority}
        )
        if severity.safety_issue:
            uow.cases.append_event(
                case,
                "escalated",
                actor,
                now,
                {"to": "supervisor", "reason": "possible safety issue", "why": list(severity.reasons)},
            )
        if draft.resolution_type:
            uow.cases.append_event(
                case,
                "resolution_agreed",
                actor,
                now,
                {"type": draft.resolution_type, "reason": draft.resolution_reason or ""},
            )
        for extra in draft.extra_events:
            kind, by = str(extra["kind"]), str(extra.get("actor") or actor)
            uow.cases.append_event(case, kind, by, now, extra.get("data") or {})
        for seq, turn in enumerate(draft.transcript, start=1):
            uow.session.add(
                TranscriptLine(
                    case_id=case.id,
                    seq=seq,
                    speaker=turn.speaker,
                    actor=turn.actor,
                    text=turn.text,
                    intent=turn.intent,
                    said_at=turn.at,
                )
            )
        _schedule_follow_up(store, uow, case, expected_at=resolution_due, actor=actor)
        uow.session.flush()
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def follow_up_delay(store: Store, resolution_type: Optional[str]) -> dt.timedelta:
    """How long after resolution the satisfaction follow-up is due."""
    rules = read_yaml(store.settings.followup_delays_file) or {}
    days = (rules.get("by_resolution") or {}).get(resolution_type or "", rules.get("default_days", 5))
    return dt.timedelta(days=float(days))


def _schedule_follow_up(store: Store, uow: UnitOfWork, case: Case, expected_at: dt.datetime, actor: str) -> FollowUp:
    """Create, or move, the pending follow-up of the case's current resolution cycle."""
    finished = [f for f in uow.followups.for_case(case.id) if f.status in ("sent", "answered", "failed", "cancelled")]
    cycle = 1 + len(finished)
    key = f"{case.reference}:satisfaction:{cycle}"
    due = expected_at + follow_up_delay(store, case.resolution_type)
    existing = uow.followups.by_key(key)
    now = store.clock()
    if existing is not None:
        if existing.status == "pending" and existing.due_at != due:
            existing.due_at = due
            uow.cases.append_event(case, "follow_up_rescheduled", actor, now, {"key": key, "due_at": due.isoformat()})
        return existing
    follow_up = uow.followups.add(
        FollowUp(
            case_id=case.id,
            key=key,
            channel=case.channel,
            conversation_id=case.conversation_id,
            due_at=due,
            status="pending",
            created_at=now,
        )
    )
    uow.cases.append_event(case, "follow_up_scheduled", actor, now, {"key": key, "due_at": due.isoformat()})
    return follow_up


def _load(uow: UnitOfWork, reference: str) -> Case:
    case = uow.cases.get(reference, for_update=True)
    if case is None:
        raise CaseNotFound(reference)
    return case


def get_case(store: Store, reference: str) -> dict[str, Any]:
    """The case JSON (with events and transcript) of ``reference``."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        return case_to_dict(case, store.clock(), uow, with_events=True, with_transcript=True)


def change_status(store: Store, reference: str, target: str, actor: str, note: str = "") -> dict[str, Any]:
    """Move a case to ``target`` status if the state machine allows it."""
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        _transition(uow, case, target, actor, now, note)
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def _transition(uow: UnitOfWork, case: Case, target: str, actor: str, now: dt.datetime, note: str = "") -> None:
    new_status = check_transition(case.reference, case.status, target)
    old = case.status
    case.status = new_status.value
    if new_status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif new_status == CaseStatus.CLOSED:
        case.closed_at = now
    elif new_status == CaseStatus.REOPENED:
        case.resolved_at = None
        case.closed_at = None
    if case.first_responded_at is None and actor != "bot" and new_status != CaseStatus.NEW:
        case.first_responded_at = now
    data: dict[str, Any] = {"from": old, "to": new_status.value}
    if note:
        data["note"] = note
    uow.cases.append_event(case, "status_changed", actor, now, data)


def resolve_case(
    store: Store,
    reference: str,
    resolution_type: str,
    actor: str,
    note: str = "",
    root_cause: Optional[str] = None,
    root_cause_category: Optional[str] = None,
) -> dict[str, Any]:
    """Resolve a case with a resolution type and schedule the satisfaction follow-up."""
    check_choice("resolution type", resolution_type, RESOLUTION_TYPES)
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        check_transition(case.reference, case.status, CaseStatus.RESOLVED.value)
        case.resolution_type = resolution_type
        if note:
            case.resolution_reason = note
        if root_cause:
            case.root_cause = root_cause
        if root_cause_category:
            case.root_cause_category = root_cause_category
        _transition(uow, case, CaseStatus.RESOLVED.value, actor, now, note)
        uow.cases.append_event(
            case,
            "resolved",
            actor,
            now,
            {
                "type": resolution_type,
                "note": note,
                "root_cause": root_cause,
                "root_cause_category": root_cause_category,
            },
        )
        _schedule_follow_up(store, uow, case, expected_at=now, actor=actor)
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def assign_case(store: Store, reference: str, assignee: str, actor: str) -> dict[str, Any]:
    """Give a case to a member of staff (triages a new case)."""
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        previous = case.assignee
        case.assignee = assignee
        uow.cases.append_event(case, "assigned", actor, now, {"from": previous, "to": assignee})
        if case.status in (CaseStatus.NEW.value, CaseStatus.REOPENED.value):
            _transition(uow, case, CaseStatus.TRIAGED.value, actor, now)
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def set_priority(store: Store, reference: str, priority: str, actor: str, reason: str = "") -> dict[str, Any]:
    """Change a case's priority; SLA due times are recomputed from when the case was logged."""
    check_choice("priority", priority, PRIORITIES)
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        previous = case.priority
        case.priority = priority
        case.first_response_due, case.resolution_due = store.sla_rules.due_times(priority, case.created_at)
        uow.cases.append_event(
            case, "priority_changed", actor, now, {"from": previous, "to": priority, "reason": reason}
        )
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def add_note(store: Store, reference: str, text: str, actor: str) -> dict[str, Any]:
    """Attach a staff note to a case."""
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        if case.first_responded_at is None:
            case.first_responded_at = now
        uow.cases.append_event(case, "note_added", actor, now, {"text": text})
        result = case_to_dict(case, now, uow)
        uow.commit()
        return result


def record_event(
    store: Store,
    reference: str,
    kind: str,
    actor: str,
    data: Optional[dict[str, Any]] = None,
    once: bool = False,
) -> bool:
    """Append any other event (escalation, message relayed, export made...).

    Returns False when ``once`` and the case already has an event of ``kind`` (checked in the same unit of
    work, so a replay cannot record it twice).
    """
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        if once and any(event.kind == kind for event in case.events):
            return False
        uow.cases.append_event(case, kind, actor, store.clock(), data or {})
        uow.commit()
        return True


def has_event(store: Store, reference: str, kind: str) -> bool:
    """True when the case already has an event of ``kind`` (to do once-only work such as a notice)."""
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        return any(event.kind == kind for event in case.events)


def verify_case_chain(store: Store, reference: str) -> dict[str, Any]:
    """Check the audit trail of one case; returns the report as a dict."""
    from bot.cases.audit import verify_chain

    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        report = verify_chain(case.reference, uow.cases.events(case), case.head_hash, case.event_count)
        return report.as_dict()


LOW_SATISFACTION = 2


def record_satisfaction(
    store: Store,
    reference: str,
    score: Optional[int],
    solved: Optional[bool],
    comment: str = "",
    actor: str = "customer",
    followup_key: Optional[str] = None,
    alert_staff: Optional[tuple[str, str]] = None,
) -> dict[str, Any]:
    """Store a follow-up answer; a "not solved" or a score of 2 or less reopens the case.

    A satisfied answer on a resolved case closes it. With ``followup_key`` the answer is recorded once
    (a replayed or retried answer to an already answered follow-up changes nothing: ``duplicate`` is
    True). With ``alert_staff=(actor, reason)`` a reopening also records ``staff_alerted`` in the same
    transaction.
    """
    if score is not None and not 1 <= int(score) <= 5:
        raise ValueError("a satisfaction score is a whole number from 1 to 5")
    with store.unit_of_work() as uow:
        case = _load(uow, reference)
        now = store.clock()
        if followup_key and any(
            f.key == followup_key and f.status == "answered" for f in uow.followups.for_case(case.id)
        ):
            result = case_to_dict(case, now, uow)
            result.update(reopened=False, duplicate=True)
            return result
        if score is not None:
            case.satisfaction_score = int(score)
        if comment:
            case.satisfaction_comment = comment.strip()[:2000]
        uow.cases.append_event(
            case,
            "satisfaction_recorded",
            actor,
            now,
            {"score": score, "solved": solved, "comment": comment.strip()[:2000]},
        )
        for follow_up in uow.followups.for_case(case.id):
            if follow_up.status in ("pending", "claimed", "sent"):
                follow_up.status = "answered"
                follow_up.answered_at = now
        unhappy = solved is False or (score is not None and int(score) <= LOW_SATISFACTION)
        if unhappy and case.status in (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value):
            _transition(uow, case, CaseStatus.REOPENED.value, actor, now, "customer not satisfied")
        elif not unhappy and case.status == CaseStatus.RESOLVED.value:
            _transition(uow, case, CaseStatus.CLOSED.value, actor, now, "customer satisfied")
        reopened = bool(unhappy and case.status == CaseStatus.REOPENED.value)
        if reopened and alert_staff:
            uow.cases.append_event(case, "staff_alerted", alert_staff[0], now, {"reason": alert_staff[1]})
        result = case_to_dict(case, now, uow)
        result.update(reopened=reopened, duplicate=False)
        uow.commit()
        return result
