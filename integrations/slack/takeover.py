"""Human takeover: staff pause the assistant for one conversation and talk to the customer.

"Take over" appends Rasa's ``pause`` event to the conversation's tracker (the assistant stops
answering; Rasa still records what the customer says), "Hand back" appends ``resume``. While a
case is taken over, what staff write in the case card's thread is sent to the customer and written
to the tracker as a bot utterance with ``metadata.staff`` (so the transcript shows who said it), and
the customer's replies are mirrored into the thread. Each step is a case event.

Customers on Slack get staff messages in their own thread. For every other channel the message is
appended with Rasa's ``output_channel=latest`` and ``execute_side_effects=true``, so Rasa sends it
through the channel the customer last wrote on: web chat customers see it at once in their chat
window (socket.io room of their session). What a web chat customer writes while staff hold the
conversation is mirrored into the case thread by :func:`customer_says`, which the web chat channel
calls for every message when Slack is configured.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from sqlalchemy import select

from bot.cases import service
from bot.cases.models import Case, CaseEvent
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from integrations.rasa_client import RasaClient, RasaError
from integrations.slack.cards import TAKEOVER_ENDED, TAKEOVER_STARTED
from integrations.slack.client import SlackClient
from integrations.slack.commands import slack_actor
from integrations.slack.markup import neutralise
from integrations.slack.posting import card_location, update_card

STARTED = TAKEOVER_STARTED
ENDED = TAKEOVER_ENDED
RELAYED = "message_relayed"
log = logging.getLogger(__name__)


class TakeoverError(RuntimeError):
    """Rasa could not be told to pause or resume, or the case cannot be taken over."""


def _append(rasa: RasaClient, conversation_id: str, events: list[dict[str, Any]], deliver: bool = False) -> None:
    """Append ``events`` to the conversation's tracker; a failure becomes a :class:`TakeoverError`."""
    try:
        rasa.append_events(conversation_id, events, deliver=deliver)
    except RasaError as exc:
        raise TakeoverError(f"the assistant (Rasa) did not accept the change: {exc}") from exc


def slack_conversation(conversation_id: str) -> Optional[tuple[str, str, str]]:
    """(user, channel, thread_ts) of a Rasa Slack conversation id ``USER_CHANNEL_THREAD``."""
    parts = conversation_id.split("_", 2)
    if len(parts) == 3 and parts[0][:1] in "UW" and parts[1][:1] in "DCG" and "." in parts[2]:
        return parts[0], parts[1], parts[2]
    return None


def taken_over_by(store: Store, ref: str) -> Optional[str]:
    """The staff actor who holds the conversation, or None when the assistant has it."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            raise service.CaseNotFound(ref)
        holder: Optional[str] = None
        for event in uow.cases.events(case):
            if event.kind == STARTED:
                holder = event.actor
            elif event.kind == ENDED:
                holder = None
        return holder


def _conversation(store: Store, ref: str) -> tuple[str, str]:
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            raise service.CaseNotFound(ref)
        if not case.conversation_id:
            raise TakeoverError(f"{ref} has no conversation to take over")
        return case.conversation_id, case.channel


def _thread(client: SlackClient, store: Store, ref: str, text: str) -> None:
    where = card_location(store, ref)
    if where is not None:
        client.chat_postMessage(channel=where[0], thread_ts=where[1], text=text, unfurl_links=False)


def _record_or_undo(
    store: Store, rasa: RasaClient, ref: str, kind: str, user_id: str, conversation_id: str, undo: dict[str, Any]
) -> None:
    """Record the takeover event, or undo the pause/resume already sent to Rasa and raise.

    When the event cannot be written (e.g. the case database is locked) the assistant and the case
    must not disagree: Rasa gets the opposite event back, and the member of staff is told.
    """
    try:
        service.record_event(store, ref, kind, slack_actor(user_id), {"conversation_id": conversation_id})
    except Exception:
        try:
            _append(rasa, conversation_id, [undo])
        except TakeoverError:
            log.exception("%s: could not undo %s in Rasa after the case event failed", ref, undo["event"])
        raise


def _after_change(client: SlackClient, store: Store, ref: str, text: str) -> None:
    """Say it in the card's thread and redraw the card; the change is saved, so failures are only logged."""
    try:
        _thread(client, store, ref, text)
        update_card(store, client, ref)
    except Exception:  # noqa: BLE001 - the next redraw of the card shows the change
        log.warning("the card of %s could not be updated", ref, exc_info=True)


def take_over(store: Store, client: SlackClient, rasa: RasaClient, ref: str, user_id: str) -> None:
    """Pause the assistant for the case's conversation."""
    conversation_id, _channel = _conversation(store, ref)
    holder = taken_over_by(store, ref)
    if holder is not None:
        raise TakeoverError(f"{ref} is already taken over by {holder}")
    _append(rasa, conversation_id, [{"event": "pause"}])
    _record_or_undo(store, rasa, ref, STARTED, user_id, conversation_id, undo={"event": "resume"})
    _after_change(
        client, store, ref, f":raising_hand: <@{user_id}> took over; replies in this thread go to the customer."
    )


def hand_back(store: Store, client: SlackClient, rasa: RasaClient, ref: str, user_id: str) -> None:
    """Resume the assistant."""
    conversation_id, _channel = _conversation(store, ref)
    if taken_over_by(store, ref) is None:
        raise TakeoverError(f"{ref} is not taken over")
    _append(rasa, conversation_id, [{"event": "resume"}])
    _record_or_undo(store, rasa, ref, ENDED, user_id, conversation_id, undo={"event": "pause"})
    _after_change(client, store, ref, f":robot_face: <@{user_id}> handed the conversation back to the assistant.")


def _already_relayed(store: Store, ref: str, slack_event_id: str) -> bool:
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        return case is not None and any(
            e.kind == RELAYED and (e.data or {}).get("slack_event_id") == slack_event_id for e in uow.cases.events(case)
        )


def staff_says(
    store: Store, client: SlackClient, rasa: RasaClient, ref: str, text: str, user_id: str, slack_event_id: str
) -> bool:
    """Send a staff message from the card thread to the customer (once per Slack event id)."""
    if _already_relayed(store, ref, slack_event_id):
        return False
    conversation_id, _channel = _conversation(store, ref)
    actor = slack_actor(user_id)
    target = slack_conversation(conversation_id)
    utterance = [{"event": "bot", "text": text, "metadata": {"staff": actor}}]
    if target is not None:
        client.chat_postMessage(channel=target[1], thread_ts=target[2], text=text, unfurl_links=False)
        _append(rasa, conversation_id, utterance)
        delivered = "slack"
    else:
        _append(rasa, conversation_id, utterance, deliver=True)
        delivered = "customer_channel"
    service.record_event(
        store,
        ref,
        RELAYED,
        actor,
        {"direction": "to_customer", "text": text[:4000], "delivered": delivered, "slack_event_id": slack_event_id},
    )
    return True


def case_taken_over_for(store: Store, conversation_id: str) -> Optional[str]:
    """The open case of ``conversation_id`` that staff hold, if any."""
    with store.unit_of_work() as uow:
        refs = list(
            uow.session.execute(
                select(Case.reference)
                .where(Case.conversation_id == conversation_id, Case.status.in_([s.value for s in OPEN_STATUSES]))
                .where(Case.id.in_(select(CaseEvent.case_id).where(CaseEvent.kind == STARTED)))
                .order_by(Case.id.desc())
            ).scalars()
        )
    for ref in refs:
        if taken_over_by(store, ref) is not None:
            return str(ref)
    return None


def customer_says(store: Store, client: SlackClient, conversation_id: str, text: str, slack_event_id: str) -> bool:
    """Mirror a customer's message into the card thread while staff hold the conversation."""
    ref = case_taken_over_for(store, conversation_id)
    if ref is None or _already_relayed(store, ref, slack_event_id):
        return False
    _thread(client, store, ref, f"*Customer:* {neutralise(text)}")
    service.record_event(
        store,
        ref,
        RELAYED,
        "customer",
        {"direction": "from_customer", "text": text[:4000], "slack_event_id": slack_event_id},
    )
    return True
