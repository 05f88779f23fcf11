"""Custom Rasa actions (thin: business rules live in ``bot/``).

Importing the package installs the log masking of :mod:`bot.privacy.log_masking`, so the action
server (``rasa run actions --actions actions`` or ``complaints actions``) never logs personal data
or secrets.
"""

from bot.privacy.log_masking import install_for_settings as _install_log_masking
from bot.settings import get_settings as _get_settings

_install_log_masking(_get_settings())
