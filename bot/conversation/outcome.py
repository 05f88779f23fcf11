"""Confirm: turn a finished conversation into a logged case, and answer status questions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from bot.cases import deferred, service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.cases.vocabulary import DEFECT_CATEGORIES
from bot.conversation import texts
from bot.conversation.dialogue import NO_ORDER, UNKNOWN, Turn, check_resolution, reset_complaint, resolution_reason

MAX_TRANSCRIPT_TURNS = 400


def _date(value: Any) -> Optional[dt.date]:
    if not value or value == UNKNOWN:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _when(value: Optional[str]) -> str:
    if not value:
        return "soon"
    moment = dt.datetime.fromisoformat(value)
    return f"{moment:%H:%M} on {moment.day} {moment:%B}"


def _secondary(slots: Mapping[str, Any]) -> Optional[str]:
    """The second fault named, when it is a known category other than the main one."""
    secondary = slots.get("secondary_defect_category")
    primary = slots.get("defect_category") or "other"
    return secondary if secondary in DEFECT_CATEGORIES and secondary != primary else None


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
        description = f"{description}\n(Item as described by the customer: {slots['product_name']})".strip()
    component = slots.get("component")
    injury = slots.get("injury_reported")
    return CaseDraft(
        description=description or "(no description given)",
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
        purchase_date=_date(slots.get("purchase_date")),
        delivery_date=_date(slots.get("delivery_date")),
        injury_reported=True if injury == "yes" else False if injury == "no" else None,
        resolution_type=resolution,
        resolution_reason=resolution_reason(store, slots) if resolution else None,
        idempotency_key=f"{sender_id}:{slots.get('complaint_id') or 'complaint'}",
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
        f"Thank you. I've logged your case. Your reference is {case['reference']}; please keep it handy.\n"
        f"{texts.NEXT_STEPS.get(resolution, texts.NEXT_STEPS['none'])}\n"
        f"{texts.PRIORITY_PROMISE.get(case['priority'], '')} We aim to have everything sorted by "
        f"{_when(case['sla']['resolution_due'])}. "
        "Once it's done, I'll check in with you to make sure you're happy."
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
        turn.say(texts.STORE_SAVE_FAILED)  # the slots stay, so saying yes again tries again
        return turn
    turn.say(texts.STORE_DEFERRED_CASE)
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
            turn.say(texts.STORE_SAVE_FAILED)
            return turn
        turn.slots.update(reset_complaint())
    turn.say(texts.STORE_DEFERRED_HANDOFF)
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
        turn.say(
            f"Of course. I've passed your case {reference} to a member of our team, with everything you've told me, "
            "so you won't need to repeat yourself. They'll reply here or by email as soon as they can."
        )
    else:
        turn.say(
            "Of course. I've asked a member of our team to pick this up; they'll reply here as soon as they can. "
            "If you tell me what went wrong in the meantime, I'll pass it on."
        )
    return turn


STATUS_TEXT = {
    "new": "We've received it and a member of our team will pick it up by {first_due}.",
    "triaged": "{who} is looking after it. We aim to resolve it by {resolution_due}.",
    "in_progress": "{who} is working on it. We aim to resolve it by {resolution_due}.",
    "awaiting_customer": "We're waiting to hear back from you; please check your email for our last message.",
    "resolved": "It has been resolved ({resolution}). We'll check in with you shortly to make sure you're happy.",
    "closed": "It's closed ({resolution}). If the problem has come back, tell me and I'll reopen it.",
    "reopened": "It has been reopened and {who} is looking at it again. We aim to resolve it by {resolution_due}.",
}


def case_status(store: Store, reference: str, sender_id: str, customer_email: Optional[str]) -> tuple[bool, str]:
    """(verified, answer) for a status question; details only go to the case's own customer."""
    try:
        case = service.get_case(store, reference)
    except service.CaseNotFound:
        return (
            False,
            f"I can't find a case {reference.upper()}. Please check the reference; it looks like CS-2026-000123.",
        )
    owner_email = (case["customer"]["email"] or "").lower()
    owns = case["conversation_id"] == sender_id or (customer_email and customer_email.lower() == owner_email)
    if not owns:
        return False, ""
    text = STATUS_TEXT.get(case["status"], "It's {status}.").format(
        first_due=_when(case["sla"]["first_response_due"]),
        resolution_due=_when(case["sla"]["resolution_due"]),
        who=(case["assignee"] or "A member of our team").split(".")[0].capitalize()
        if case["assignee"]
        else "A member of our team",
        resolution=(case["resolution"]["type"] or "no change").replace("_", " "),
        status=case["status"].replace("_", " "),
    )
    return True, f"Case {case['reference']}: {text}"


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
    turn.say(
        texts.CASE_LOGGED_LATE.format(reference=case["reference"])
        + f"\n{texts.NEXT_STEPS.get(resolution, texts.NEXT_STEPS['none'])}"
    )
    turn.slots["case_reference"] = case["reference"]
    return turn
