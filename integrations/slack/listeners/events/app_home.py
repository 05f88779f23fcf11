"""App Home: the user's assigned cases and SLA breaches."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from integrations.slack.cards import home_view
from integrations.slack.commands import list_cases
from integrations.slack.runtime import runtime

log = logging.getLogger(__name__)


def ack_only(ack: Ack) -> None:
    """Acknowledge at once."""
    ack()


def publish_home(event: dict[str, Any], client: WebClient) -> None:
    """``views.publish`` the Home tab for the user who opened it."""
    if event.get("tab", "home") != "home":
        return
    user = str(event["user"])
    store = runtime().store
    mine = list_cases(store, "mine", user).cases
    breached = list_cases(store, "breached", user).cases
    client.views_publish(user_id=user, view=home_view(mine, breached))


def register(app: App) -> None:
    """Register ``app_home_opened``."""
    app.event("app_home_opened")(ack=ack_only, lazy=[publish_home])
