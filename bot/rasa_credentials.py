"""Rasa's input channels (``credentials.yml``), with the Slack channel added when Slack is on.

``credentials.yml`` cannot hold ``${SLACK_BOT_TOKEN}`` itself: Rasa refuses a file that names an
unset variable, and Slack is off by default. So the launcher renders ``var/credentials.yml``:
the project's channels plus, when both Slack variables are set, Rasa's Slack channel. The
rendered file keeps the ``${...}`` references (Rasa fills them in from the environment), so no
secret is written to disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.data_files import write_private_yaml
from bot.settings import Settings

# Every retry reason Slack sends (api.slack.com/apis/connections/events-api#retries): a retry
# is answered without being processed, so a slow or failed first delivery never yields a second
# reply or case. (Rasa's default ignores only http_timeout.)
SLACK_RETRY_REASONS = (
    "http_timeout",
    "http_error",
    "connection_failed",
    "ssl_error",
    "too_many_conns",
    "unknown_error",
)

# Rasa's Slack channel behind the customer command guard (same URL /webhooks/slack/webhook).
SLACK_CHANNEL_CLASS = "integrations.customer_channels.GuardedSlackInput"

SLACK_CHANNEL: dict[str, Any] = {
    "slack_token": "${SLACK_BOT_TOKEN}",
    "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
    "use_threads": True,  # replies go in the customer's message thread
    "conversation_granularity": "thread",  # one conversation per user, channel and thread
    "errors_ignore_retry": list(SLACK_RETRY_REASONS),
}


def credentials(settings: Settings) -> dict[str, Any]:
    """The project's ``credentials.yml`` plus the Slack channel when Slack is on."""
    with open(settings.project_root / "credentials.yml", encoding="utf-8") as handle:
        result: dict[str, Any] = yaml.safe_load(handle) or {}
    if settings.slack_enabled:
        result[SLACK_CHANNEL_CLASS] = dict(SLACK_CHANNEL)
    return result


def write_credentials(settings: Settings, path: Path) -> Path:
    """Write the rendered credentials (mode 600) and return the path."""
    return write_private_yaml(
        path, "Rendered by `complaints rasa-credentials`; edit credentials.yml instead.", credentials(settings)
    )
