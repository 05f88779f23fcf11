"""Events: App Home and messages in case threads."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.listeners.events import app_home, messages


def register(app: App) -> None:
    """Register the event listeners."""
    app_home.register(app)
    messages.register(app)
