"""What each triage button, modal and thread message does to a case.

Listeners in ``integrations/slack`` stay thin: they ack, then call one of these with the
Slack user; every change goes through :mod:`bot.cases.service` (one unit of work each) and so is
an audit event with ``slack:USER`` as the actor. The card is then redrawn in place.

Each operation can be repeated safely: after a failure (a locked or unreachable case database:
nothing was changed) staff simply press again, and a repeated press or a request Slack sends again
after the change was made changes nothing more. Assigning to the current assignee (unless that also
triages a new or reopened case), choosing the current priority, reopening a reopened case or
resolving a case already resolved the same way only redraws the card; a note or an escalation from
a modal is recorded once per submitted form (Slack's view id), a thread reply once per Slack event
id. Redrawing the card comes after the change is saved; when it fails the change stands and the
next redraw shows it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional

from bot.cases import service
from bot.cases.status import CaseStatus
from bot.cases.store import Store
from bot.vocabulary import ROOT_CAUSE_CATEGORIES, check_choice
from integrations.slack.cards import ESCALATION_TARGETS, root_cause_text
from integrations.slack.client import SlackClient
from integrations.slack.commands import slack_actor
from integrations.slack.markup import neutralise
from integrations.slack.posting import card_location, update_card

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseState:
    """The fields an operation compares with what it is asked to do."""

    status: str
    assignee: Optional[str]
    priority: str
    resolution_type: Optional[str]


def case_state(store: Store, ref: str) -> CaseState:
    """The case's status, assignee, priority and resolution type."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            raise service.CaseNotFound(ref)
        return CaseState(case.status, case.assignee, case.priority, case.resolution_type)


def redraw(store: Store, client: SlackClient, ref: str) -> bool:
    """Redraw the card after a saved change; a failure is logged, never raised (the change stands)."""
    try:
        return update_card(store, client, ref)
    except Exception:  # noqa: BLE001 - the change is saved; the next redraw of the card shows it
        log.warning("the card of %s could not be redrawn", ref, exc_info=True)
        return False


def _record_once(
    store: Store, ref: str, kind: str, user_id: str, data: dict[str, Any], key_name: str, key: str, response: bool
) -> bool:
    """Append ``kind`` with ``data`` unless an event of that kind already carries ``data[key_name] == key``.

    The check and the write are one unit of work with the case row locked, so two deliveries of the
    same Slack request record one event. ``response`` marks a staff reply (first response time).
    """
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref, for_update=True)
        if case is None:
            raise service.CaseNotFound(ref)
        if key and any(e.kind == kind and (e.data or {}).get(key_name) == key for e in uow.cases.events(case)):
            return False
        now = store.clock()
        if response and case.first_responded_at is None:
            case.first_responded_at = now
        uow.cases.append_event(case, kind, slack_actor(user_id), now, {**data, **({key_name: key} if key else {})})
        uow.commit()
    return True


def assign_to_me(store: Store, client: SlackClient, ref: str, user_id: str) -> bool:
    """Assign the case to the Slack user who pressed the button; True when it changed."""
    state = case_state(store, ref)
    untriaged = state.status in (CaseStatus.NEW.value, CaseStatus.REOPENED.value)  # assigning also triages these
    changed = state.assignee != slack_actor(user_id) or untriaged
    if changed:
        service.assign_case(store, ref, slack_actor(user_id), slack_actor(user_id))
    redraw(store, client, ref)
    return changed


def change_priority(store: Store, client: SlackClient, value: str, user_id: str) -> bool:
    """``value`` is ``REF|priority`` from the card's select; True when it changed."""
    ref, _, priority = value.partition("|")
    changed = case_state(store, ref).priority != priority
    if changed:
        service.set_priority(store, ref, priority, slack_actor(user_id), reason="set in Slack")
    redraw(store, client, ref)
    return changed


def escalate(
    store: Store,
    client: SlackClient,
    ref: str,
    target: str,
    reason: str,
    user_id: str,
    channels: dict[str, str],
    slack_view_id: str = "",
) -> bool:
    """Record the escalation and tell the supervisor or quality channel (and the card's thread), once per form."""
    check_choice("escalation target", target, tuple(ESCALATION_TARGETS))
    reason = reason.strip()
    if not reason:
        raise ValueError("an escalation needs a reason")
    data = {"to": target, "reason": reason, "via": "slack"}
    if not _record_once(store, ref, "escalated", user_id, data, "slack_view_id", slack_view_id, response=False):
        redraw(store, client, ref)
        return False
    to = ESCALATION_TARGETS[target].lower()
    text = f":arrow_double_up: <@{user_id}> escalated *{ref}* to {to}: {neutralise(reason, 1000)}"
    client.chat_postMessage(channel=channels[target], text=text, unfurl_links=False)
    try:
        where = card_location(store, ref)
    except Exception:  # noqa: BLE001 - the escalation is saved and announced; the thread copy is a courtesy
        log.warning("could not find the card of %s to copy the escalation to its thread", ref, exc_info=True)
        where = None
    if where is not None:
        client.chat_postMessage(channel=where[0], thread_ts=where[1], text=text, unfurl_links=False)
    redraw(store, client, ref)
    return True


def add_note(store: Store, client: SlackClient, ref: str, text: str, user_id: str, slack_view_id: str = "") -> bool:
    """A staff note on the case (once per submitted form when ``slack_view_id`` is given)."""
    if slack_view_id:
        text = text.strip()
        if not text:
            raise ValueError("a note needs some text")
        changed = _record_once(
            store, ref, "note_added", user_id, {"text": text}, "slack_view_id", slack_view_id, response=True
        )
    else:
        service.add_note(store, ref, text, slack_actor(user_id))
        changed = True
    redraw(store, client, ref)
    return changed


def resolve(store: Store, client: SlackClient, ref: str, values: dict[str, str], user_id: str) -> bool:
    """Resolve from the modal: resolution type, root cause category, 5 Whys, notes; True when it changed."""
    category = values.get("root_cause_category") or None
    if category:
        check_choice("root cause category", category, ROOT_CAUSE_CATEGORIES)
    resolution = values.get("resolution", "")
    state = case_state(store, ref)
    done = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)
    if state.status in done and state.resolution_type == resolution:
        redraw(store, client, ref)  # already resolved this way (a repeated submission)
        return False
    service.resolve_case(
        store,
        ref,
        resolution,
        slack_actor(user_id),
        note=values.get("note", "").strip(),
        root_cause=root_cause_text(values),
        root_cause_category=category,
    )
    redraw(store, client, ref)
    return True


def reopen(store: Store, client: SlackClient, ref: str, user_id: str) -> bool:
    """Reopen a resolved or closed case; True when it changed."""
    changed = case_state(store, ref).status != CaseStatus.REOPENED.value
    if changed:
        service.change_status(store, ref, CaseStatus.REOPENED.value, slack_actor(user_id), "reopened in Slack")
    redraw(store, client, ref)
    return changed


def thread_note(store: Store, ref: str, text: str, user_id: str, event_id: str) -> bool:
    """A staff message in the card's thread becomes a note, once per Slack event id."""
    data = {"text": text.strip()[:4000]}
    return _record_once(store, ref, "note_added", user_id, data, "slack_event_id", event_id, response=True)
