"""Card buttons: each acks at once; modals open straight away, case changes run lazily.

Failures (a refused change, a locked or unreachable case database) are told to the member of staff
by :func:`integrations.slack.listeners.errors.staff_action`; the operations are idempotent, so
pressing the button again (or Slack sending the request again) applies the change once.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from integrations.slack import cards, operations, takeover
from integrations.slack.listeners.errors import staff_action
from integrations.slack.runtime import runtime

log = logging.getLogger(__name__)


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["actions"][0])


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def ack_only(ack: Ack) -> None:
    """Acknowledge within Slack's 3 seconds; the lazy listener does the work."""
    ack()


@staff_action
def assign_to_me(body: dict[str, Any], client: WebClient) -> None:
    """Assign the case to whoever pressed the button."""
    rt = runtime()
    operations.assign_to_me(rt.store, client, _action(body)["value"], _user(body))


@staff_action
def set_priority(body: dict[str, Any], client: WebClient) -> None:
    """Apply the priority chosen in the select."""
    rt = runtime()
    operations.change_priority(rt.store, client, _action(body)["selected_option"]["value"], _user(body))


@staff_action
def reopen(body: dict[str, Any], client: WebClient) -> None:
    """Reopen a resolved or closed case."""
    rt = runtime()
    operations.reopen(rt.store, client, _action(body)["value"], _user(body))


@staff_action
def take_over(body: dict[str, Any], client: WebClient) -> None:
    """Pause the assistant; staff talk to the customer in the card's thread."""
    rt = runtime()
    takeover.take_over(rt.store, client, rt.rasa, _action(body)["value"], _user(body))


@staff_action
def hand_back(body: dict[str, Any], client: WebClient) -> None:
    """Resume the assistant."""
    rt = runtime()
    takeover.hand_back(rt.store, client, rt.rasa, _action(body)["value"], _user(body))


def _modal_opener(make: Callable[[str], dict[str, Any]]) -> Callable[[Ack, dict[str, Any], WebClient], None]:
    def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = make(_action(body)["value"])
        channel = str((body.get("channel") or {}).get("id", ""))
        if channel:
            view = cards.opened_from(view, channel, str((body.get("container") or {}).get("message_ts", "")))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_modal


def register(app: App) -> None:
    """Lazy listeners for changes; modals are opened in the ack listener (trigger ids expire in 3 s)."""
    app.action(cards.ACTION_ASSIGN)(ack=ack_only, lazy=[assign_to_me])
    app.action(cards.ACTION_PRIORITY)(ack=ack_only, lazy=[set_priority])
    app.action(cards.ACTION_REOPEN)(ack=ack_only, lazy=[reopen])
    app.action(cards.ACTION_TAKEOVER)(ack=ack_only, lazy=[take_over])
    app.action(cards.ACTION_HANDBACK)(ack=ack_only, lazy=[hand_back])
    app.action(cards.ACTION_ESCALATE)(_modal_opener(cards.escalate_modal))
    app.action(cards.ACTION_NOTE)(_modal_opener(cards.note_modal))
    app.action(cards.ACTION_RESOLVE)(_modal_opener(cards.resolve_modal))
