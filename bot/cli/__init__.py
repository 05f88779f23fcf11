"""The ``complaints`` command line (also ``python -m bot``): one click app of small command modules.

``bot.cli.app`` builds the app; each module here (``cases``, ``followups``, ``outbox``, ``privacy``...)
holds one command group and a ``register(app)`` function. ``integrations.commands`` adds the commands
that start servers or talk to other systems, through the ``complaints.commands`` entry points.
"""

from bot.cli.app import build_app, main

__all__ = ["build_app", "main"]
