"""View submissions: the escalate, note and resolve modals."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.listeners.views import case_modals


def register(app: App) -> None:
    """Register the modal submissions."""
    case_modals.register(app)
