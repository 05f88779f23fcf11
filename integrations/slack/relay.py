"""Customers' direct messages go on to Rasa's Slack channel, unchanged.

One Slack app has one request URL, so everything Slack sends arrives at the triage app. A
customer's direct message (and a press of a button the assistant sent in a direct message) is
passed on to Rasa's Slack channel (``{RASA_URL}/webhooks/slack/webhook``, through
:class:`integrations.rasa_client.RasaClient`) byte for byte with its signature headers, so Rasa
checks Slack's signature itself. It is relayed only after bolt has verified the signature, never
for a retry (those are dropped earlier), and in the background so Slack gets its 200 at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from slack_bolt import BoltResponse

from integrations.slack.cards import CARD_ACTIONS
from integrations.slack.runtime import runtime
from integrations.slack.takeover import customer_says

log = logging.getLogger(__name__)
_FORWARDED_HEADERS = ("content-type", "x-slack-request-timestamp", "x-slack-signature")


def is_customer_traffic(body: dict[str, Any]) -> bool:
    """A person's direct message to the app, or a press of one of the assistant's DM buttons."""
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        return (
            event.get("type") == "message"
            and event.get("channel_type") == "im"
            and not event.get("bot_id")
            and not event.get("subtype")
        )
    if body.get("type") == "block_actions":
        channel = str((body.get("channel") or {}).get("id", ""))
        ours = {str(a.get("action_id")) for a in body.get("actions") or []} & set(CARD_ACTIONS)
        return channel.startswith("D") and not ours
    return False


def forward(raw_body: str, headers: dict[str, str]) -> None:
    """POST the request to Rasa's Slack channel as it came (errors are logged: Slack has had its answer)."""
    try:
        runtime().rasa.forward_slack(raw_body, headers)
    except Exception:  # noqa: BLE001
        log.exception("could not pass a Slack message on to Rasa at %s", runtime().settings.rasa_url)


def mirror_to_case_thread(body: dict[str, Any], client: Any) -> None:
    """While staff hold the conversation, show the customer's message in the case card's thread."""
    event = body.get("event") or {}
    if body.get("type") != "event_callback" or not event.get("text"):
        return
    conversation_id = f"{event.get('user')}_{event.get('channel')}_{event.get('thread_ts') or event.get('ts')}"
    try:
        customer_says(runtime().store, client, conversation_id, str(event["text"]), str(body.get("event_id")))
    except Exception:  # noqa: BLE001
        log.exception("could not mirror a customer message for %s", conversation_id)


def relay_customer_messages(
    req: Any, resp: BoltResponse, next: Callable[[], BoltResponse], client: Any = None
) -> BoltResponse:
    """Bolt middleware: relay customer traffic to Rasa, let everything else through."""
    if not is_customer_traffic(req.body or {}):
        return next()
    headers = {}
    for name in _FORWARDED_HEADERS:
        values = req.headers.get(name)
        if values:
            headers[name] = values[0] if isinstance(values, (list, tuple)) else str(values)
    body = dict(req.body or {})

    def work() -> None:
        forward(req.raw_body, headers)
        if client is not None:
            mirror_to_case_thread(body, client)

    threading.Thread(target=work, daemon=True).start()
    return BoltResponse(status=200, body="")
