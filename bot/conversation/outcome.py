"""Confirm: turn a finished conversation into a logged case, and answer status questions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from bot.cases import deferred, service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.conversation import wording
from bot.conversation.replies import Turn
from bot.conversation.requests.ownership import owns
from bot.conversation.sql_catalogue import SqlCatalogue
from bot.conversation.state import NO_ORDER, UNKNOWN, ComplaintState, reset_complaint
from bot.conversation.steps.dates import parse_date
from bot.conversation.steps.resolution import check_resolution, resolution_reason
from bot.conversation.wording import has, say
from bot.vocabulary import DEFECT_CATEGORIES

MAX_TRANSCRIPT_TURNS = 400


def _when(value: Optional[str]) -> str:
    if not value:
        return say("confirm.when_unknown")
    moment = dt.datetime.fromisoformat(value)
    return say("confirm.when", time=f"{moment:%H:%M}", day=moment.day, month=f"{moment:%B}")


def next_steps(resolution: Optional[str]) -> str:
    """What happens next for a resolution type (``none`` when unknown)."""
    return say(f"next_steps.{resolution}") if has(f"next_steps.{resolution}") else say("next_steps.none")


def _promise(priority: Optional[str]) -> str:
    return say(f"promise.{priority}") if has(f"promise.{priority}") else ""


def _secondary(slots: Mapping[str, Any]) -> Optional[str]:
    """The second fault named, when it is a known category other than the main one."""
    secondary = slots.get("secondary_defect_category")
    primary = slots.get("defect_category") or "other"
    return secondary if secondary in DEFECT_CATEGORIES and secondary != primary else None


def _reason(store: Store, slots: Mapping[str, Any]) -> str:
    return resolution_reason(SqlCatalogue(store), ComplaintState.from_slots(slots))


def draft_from_slots(
    store: Store,
    slots: Mapping[str, Any],
    sender_id: str,
    channel: str,
    transcript: list[TranscriptTurn],
    with_resolution: bool = True,
) -> CaseDraft:
    """A case draft from the conversation's slots."""
    order = slots.get("order_number")
    resolution = check_resolution(slots.get("resolution_choice")) if with_resolution else None
    product = slots.get("product")
    description = (slots.get("description") or "").strip()
    if product == UNKNOWN and slots.get("product_name"):
        description = say("record.item_in_own_words", description=description, product_name=slots["product_name"])
        description = description.strip()
    component = slots.get("component")
    injury = slots.get("injury_reported")
    return CaseDraft(
        description=description or say("record.no_description"),
        channel=channel or "rest",
        conversation_id=sender_id,
        customer_name=str(slots.get("customer_name") or "") if slots.get("customer_name") != UNKNOWN else "",
        customer_email=slots.get("customer_email"),
        order_number=order if order not in (None, NO_ORDER) else None,
        sku=product if product not in (None, UNKNOWN) else None,
        size=slots.get("size"),
        colour=slots.get("colour"),
        defect_category=slots.get("defect_category") or "other",
        secondary_defect_category=_secondary(slots),
        component=component if component not in (None, "n/a", UNKNOWN) else None,
        purchase_date=parse_date(slots.get("purchase_date")),
        delivery_date=parse_date(slots.get("delivery_date")),
        injury_reported=True if injury == "yes" else False if injury == "no" else None,
        resolution_type=resolution,
        resolution_reason=_reason(store, slots) if resolution else None,
        idempotency_key=f"{sender_id}:{slots.get('complaint_id') or 'complaint'}",
        customer_phone=slots.get("phone") or None,
        transcript=transcript[-MAX_TRANSCRIPT_TURNS:],
    )


def log_complaint(
    store: Store, slots: Mapping[str, Any], sender_id: str, channel: str, transcript: list[TranscriptTurn]
) -> Turn:
    """Log the case (once, however often this is retried) and tell the customer what happens next."""
    opened = service.open_case(store, draft_from_slots(store, slots, sender_id, channel, transcript))
    case = opened.case
    turn = Turn()
    resolution = case["resolution"]["type"] or "none"
    turn.say(
        "confirm.case_logged",
        reference=case["reference"],
        next_steps=next_steps(resolution),
        promise=_promise(case["priority"]),
        due=_when(case["sla"]["resolution_due"]),
    )
    turn.slots.update(reset_complaint())
    turn.slots["case_reference"] = case["reference"]
    return turn


def defer_complaint(
    store: Store, slots: Mapping[str, Any], sender_id: str, channel: str, transcript: list[TranscriptTurn]
) -> Turn:
    """The case database is unavailable: keep the confirmed complaint in the outbox and say so plainly.

    The scheduler writes it (once) when the database is back and gives the customer the reference.
    """
    turn = Turn()
    draft = draft_from_slots(store, slots, sender_id, channel, transcript)
    try:
        deferred.defer_case(store.settings, draft, store.clock())
    except OSError:
        turn.say("store.save_failed")  # the slots stay, so saying yes again tries again
        return turn
    turn.say("store.deferred_case")
    turn.slots.update(reset_complaint())
    turn.slots["case_reference"] = None
    return turn


def _handoff_event(sender_id: str) -> dict[str, Any]:
    return {"kind": "handoff_requested", "actor": "customer", "data": {"conversation_id": sender_id}}


def defer_person(
    store: Store, slots: Mapping[str, Any], sender_id: str, channel: str, transcript: list[TranscriptTurn]
) -> Turn:
    """The case database is unavailable during a request for a person: what was said goes to the outbox."""
    turn = Turn()
    if slots.get("description") or slots.get("defect_category"):
        draft = draft_from_slots(store, slots, sender_id, channel, transcript, with_resolution=False)
        draft.extra_events.append(_handoff_event(sender_id))
        try:
            deferred.defer_case(store.settings, draft, store.clock())
        except OSError:
            turn.say("store.save_failed")
            return turn
        turn.slots.update(reset_complaint())
    turn.say("store.deferred_handoff")
    return turn


def request_person(
    store: Store, slots: Mapping[str, Any], sender_id: str, channel: str, transcript: list[TranscriptTurn]
) -> Turn:
    """Honour a request for a person; whatever the customer has told us is logged, not lost."""
    turn = Turn()
    reference = slots.get("case_reference")
    if slots.get("description") or slots.get("defect_category"):
        draft = draft_from_slots(store, slots, sender_id, channel, transcript, with_resolution=False)
        draft.extra_events.append(_handoff_event(sender_id))  # in the same transaction as the case
        opened = service.open_case(store, draft)
        reference = opened.reference
        turn.slots.update(reset_complaint())
        turn.slots["case_reference"] = reference
    elif reference:
        try:
            service.record_event(store, reference, "handoff_requested", "customer", {"conversation_id": sender_id})
        except service.CaseNotFound:
            reference = None
    if reference:
        turn.say("handoff.with_case", reference=reference)
    else:
        turn.say("handoff.without_case")
    return turn


STATUSES = ("new", "triaged", "in_progress", "awaiting_customer", "resolved", "closed", "reopened")


def _status_text(case: Mapping[str, Any]) -> str:
    """Where the case is, in words (``status.<status>`` in the wording catalogue)."""
    team = say("status.team_member")
    values = {
        "first_due": _when(case["sla"]["first_response_due"]),
        "resolution_due": _when(case["sla"]["resolution_due"]),
        "who": case["assignee"].split(".")[0].capitalize() if case["assignee"] else team,
        "resolution": (case["resolution"]["type"] or say("status.no_change")).replace("_", " "),
        "status": case["status"].replace("_", " "),
    }
    message = wording.message(f"status.{case['status']}" if case["status"] in STATUSES else "status.other")
    return message.render(**{name: value for name, value in values.items() if name in message.placeholders})


def case_status(store: Store, reference: str, sender_id: str, customer_email: Optional[str]) -> tuple[bool, str]:
    """(verified, answer) for a status question; details only go to the case's own customer."""
    try:
        case = service.get_case(store, reference)
    except service.CaseNotFound:
        return False, say("status.not_found", reference=reference.upper())
    if not owns(case["customer"]["email"], customer_email, case["conversation_id"], sender_id):
        return False, ""
    return True, say("status.answer", reference=case["reference"], answer=_status_text(case))


def case_logged_late(store: Store, reference: Optional[str], sender_id: str) -> Turn:
    """Give the reference of a complaint written from the outbox, only in the conversation it came from."""
    turn = Turn()
    if not reference:
        return turn
    try:
        case = service.get_case(store, reference)
    except service.CaseNotFound:
        return turn
    if case["conversation_id"] != sender_id:
        return turn  # forged or misrouted trigger: say nothing
    resolution = case["resolution"]["type"] or "none"
    turn.say("confirm.case_logged_late", reference=case["reference"], next_steps=next_steps(resolution))
    turn.slots["case_reference"] = case["reference"]
    return turn
