"""Messages: a staff reply in a case card's thread is recorded as a note on the case."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from integrations.slack.listeners.errors import Where, report_failure
from integrations.slack.operations import thread_note
from integrations.slack.posting import case_for_thread
from integrations.slack.runtime import runtime
from integrations.slack.takeover import staff_says, taken_over_by

log = logging.getLogger(__name__)


def ack_only(ack: Ack) -> None:
    """Acknowledge at once."""
    ack()


def record_thread_reply(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A human reply under a case card: to the customer while taken over, else a note (once per event id)."""
    if event.get("bot_id") or event.get("subtype") or not event.get("thread_ts") or not event.get("user"):
        return
    if event.get("thread_ts") == event.get("ts"):
        return
    text = str(event.get("text") or "").strip()
    if not text:
        return
    try:
        store = runtime().store
        ref = case_for_thread(store, str(event.get("channel")), str(event["thread_ts"]))
        if ref is None:
            return
        event_id = str(body.get("event_id") or event.get("client_msg_id") or event["ts"])
        if taken_over_by(store, ref) is not None:
            staff_says(store, client, runtime().rasa, ref, text, str(event["user"]), event_id)
        else:
            thread_note(store, ref, text, str(event["user"]), event_id)
    except Exception as exc:  # noqa: BLE001 - the member of staff must know their reply was not kept
        parent = event.get("parent_user_id")
        if parent and context.bot_user_id and parent != context.bot_user_id:
            log.warning("could not check whether a reply is on a case card: %s", type(exc).__name__)
            return  # a thread under someone else's message: no case card, nothing to tell
        where = Where(user=str(event["user"]), channel=str(event.get("channel")), thread_ts=str(event["thread_ts"]))
        report_failure(client, where, exc, "thread reply")


def register(app: App) -> None:
    """Register channel and direct messages."""
    app.event("message")(ack=ack_only, lazy=[record_thread_reply])
