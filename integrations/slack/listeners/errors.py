"""Telling the Slack user when a change was refused."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def tell_user(client: Any, user_id: str, text: str) -> None:
    """A direct message to the user (failures are logged, never raised)."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except Exception:  # noqa: BLE001 - an error report must not raise another error
        log.exception("could not tell %s: %s", user_id, text)
