"""Custom Rasa actions (thin: business rules live in ``bot/``).

Importing the package sets up logging through :mod:`bot.logging_setup` (masking only: the server that
imports it, ``complaints actions`` or ``rasa run actions``, keeps its own format), so the action server
never logs personal data or secrets.
"""

from bot.logging_setup import configure_logging as _configure_logging
from bot.settings import get_settings as _get_settings

_configure_logging(_get_settings(), process="rasa")
