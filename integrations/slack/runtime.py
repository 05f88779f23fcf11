"""The settings and case store the listeners work with, set once by :func:`build_app`.

Bolt deep-copies the context for lazy listeners, so the store (an engine with a pool) is kept
here instead of in the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from bot.cases.store import Store, get_store
from bot.settings import Settings, get_settings
from integrations.rasa_client import RasaClient


@dataclass
class Runtime:
    """What listeners need besides the Slack request."""

    settings: Settings
    store: Store

    @cached_property
    def rasa(self) -> RasaClient:
        """Rasa's HTTP API (pause/resume, staff messages, the Slack relay): one client per runtime."""
        return RasaClient.from_settings(self.settings)

    @property
    def escalation_channels(self) -> dict[str, str]:
        """Where each escalation target is posted."""
        return {"supervisor": self.settings.slack_supervisor_channel, "quality": self.settings.slack_quality_channel}


_current: Optional[Runtime] = None


def configure(settings: Settings, store: Store) -> Runtime:
    """Set the runtime used by every listener of this process."""
    global _current
    _current = Runtime(settings, store)
    return _current


def runtime() -> Runtime:
    """The configured runtime (the environment's settings and store when none was set)."""
    global _current
    if _current is None:
        _current = Runtime(get_settings(), get_store())
    return _current
