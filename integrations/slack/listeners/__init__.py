"""Listeners by kind; each package has ``register(app)``."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.listeners import actions, commands, events, views


def register_listeners(app: App) -> None:
    """Register every listener of the triage app."""
    actions.register(app)
    commands.register(app)
    events.register(app)
    views.register(app)
