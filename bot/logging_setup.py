"""Logging, set up once per process: one format, the level from settings, personal data masked.

Every entry point calls :func:`configure_logging` first thing with its :class:`~bot.settings.Settings`.
Long-running services (action server, dashboard, Slack app, scheduler worker) get a stderr handler
with :data:`LOG_FORMAT` at ``LOG_LEVEL``; one-shot CLI commands keep Python's defaults so their output
does not change, and code loaded by Rasa (``rasa run actions`` importing :mod:`actions`) keeps the
handlers Rasa set. Every process gets the masking of :mod:`bot.privacy.log_masking`.
"""

from __future__ import annotations

import logging
from typing import Literal

from bot.privacy.log_masking import install_for_settings
from bot.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

Process = Literal["cli", "rasa", "actions", "dashboard", "slack", "scheduler"]
"""Who is logging: ``cli`` (one-shot commands) and ``rasa`` (inside Rasa's processes) get masking only."""

_MASKING_ONLY = ("cli", "rasa")

_configured: list[Process] = []


def configure_logging(settings: Settings, process: Process = "cli") -> None:
    """Set the format and level once for a service ``process``; install personal-data masking in every case.

    Safe to call more than once: the first service call sets the root handler and level, later calls
    (and calls that find a root handler already there, such as pytest's) leave them alone; masking is
    re-applied, so handlers added since are covered and the secrets of ``settings`` are merged in.
    """
    if process not in _MASKING_ONLY and not _configured:
        logging.basicConfig(level=settings.log_level, format=LOG_FORMAT)  # a no-op if the root has a handler
        _configured.append(process)
    install_for_settings(settings)
