"""What each triage button, modal and thread message does to a case.

Listeners in ``integrations/slack`` stay thin: they ack, then call one of these with the
Slack user; every change goes through :mod:`bot.cases.service` and so is an audit event with
``slack:USER`` as the actor. The card is then redrawn in place.
"""

from __future__ import annotations

from typing import Any

from bot.cases import service
from bot.cases.status import CaseStatus
from bot.cases.store import Store
from bot.cases.vocabulary import ROOT_CAUSE_CATEGORIES, check_choice
from bot.triage.cards import ESCALATION_TARGETS, root_cause_text
from bot.triage.commands import slack_actor
from bot.triage.markup import neutralise
from bot.triage.posting import SlackClient, card_location, update_card


def assign_to_me(store: Store, client: SlackClient, ref: str, user_id: str) -> dict[str, Any]:
    """Assign the case to the Slack user who pressed the button."""
    case = service.assign_case(store, ref, slack_actor(user_id), slack_actor(user_id))
    update_card(store, client, ref)
    return case


def change_priority(store: Store, client: SlackClient, value: str, user_id: str) -> dict[str, Any]:
    """``value`` is ``REF|priority`` from the card's select."""
    ref, _, priority = value.partition("|")
    case = service.set_priority(store, ref, priority, slack_actor(user_id), reason="set in Slack")
    update_card(store, client, ref)
    return case


def escalate(
    store: Store, client: SlackClient, ref: str, target: str, reason: str, user_id: str, channels: dict[str, str]
) -> None:
    """Record the escalation and tell the supervisor or quality channel (and the card's thread)."""
    check_choice("escalation target", target, tuple(ESCALATION_TARGETS))
    reason = reason.strip()
    if not reason:
        raise ValueError("an escalation needs a reason")
    service.record_event(
        store, ref, "escalated", slack_actor(user_id), {"to": target, "reason": reason, "via": "slack"}
    )
    to = ESCALATION_TARGETS[target].lower()
    text = f":arrow_double_up: <@{user_id}> escalated *{ref}* to {to}: {neutralise(reason, 1000)}"
    client.chat_postMessage(channel=channels[target], text=text, unfurl_links=False)
    where = card_location(store, ref)
    if where is not None:
        client.chat_postMessage(channel=where[0], thread_ts=where[1], text=text, unfurl_links=False)
    update_card(store, client, ref)


def add_note(store: Store, client: SlackClient, ref: str, text: str, user_id: str) -> dict[str, Any]:
    """A staff note on the case."""
    case = service.add_note(store, ref, text, slack_actor(user_id))
    update_card(store, client, ref)
    return case


def resolve(store: Store, client: SlackClient, ref: str, values: dict[str, str], user_id: str) -> dict[str, Any]:
    """Resolve from the modal: resolution type, root cause category, 5 Whys, notes."""
    category = values.get("root_cause_category") or None
    if category:
        check_choice("root cause category", category, ROOT_CAUSE_CATEGORIES)
    case = service.resolve_case(
        store,
        ref,
        values.get("resolution", ""),
        slack_actor(user_id),
        note=values.get("note", "").strip(),
        root_cause=root_cause_text(values),
        root_cause_category=category,
    )
    update_card(store, client, ref)
    return case


def reopen(store: Store, client: SlackClient, ref: str, user_id: str) -> dict[str, Any]:
    """Reopen a resolved or closed case."""
    case = service.change_status(store, ref, CaseStatus.REOPENED.value, slack_actor(user_id), "reopened in Slack")
    update_card(store, client, ref)
    return case


def thread_note(store: Store, ref: str, text: str, user_id: str, event_id: str) -> bool:
    """A staff message in the card's thread becomes a note, once per Slack event id."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            raise service.CaseNotFound(ref)
        for event in uow.cases.events(case):
            if event.kind == "note_added" and (event.data or {}).get("slack_event_id") == event_id:
                return False
        now = store.clock()
        locked = uow.cases.get(ref, for_update=True)
        assert locked is not None
        if locked.first_responded_at is None:
            locked.first_responded_at = now
        uow.cases.append_event(
            locked, "note_added", slack_actor(user_id), now, {"text": text.strip()[:4000], "slack_event_id": event_id}
        )
        uow.commit()
    return True
