"""Block actions: the buttons and the priority select on case cards."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.listeners.actions import case_card


def register(app: App) -> None:
    """Register the card's buttons."""
    case_card.register(app)
