"""The Slack Web API client every part of the triage app posts through."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.settings import Settings

SlackClient = Any  # slack_sdk.WebClient or anything with the same methods (bolt's client, a test double)


def web_client(settings: Settings) -> WebClient:
    """The Slack Web API client (real Slack unless ``SLACK_API_URL`` names a stand-in)."""
    if settings.slack_api_url:
        return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url.rstrip("/") + "/")
    return WebClient(token=settings.slack_bot_token)
