"""Slash commands: ``/case REF`` and ``/cases open|mine|overdue|breached``."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.listeners.commands import case_lookup


def register(app: App) -> None:
    """Register the slash commands."""
    case_lookup.register(app)
