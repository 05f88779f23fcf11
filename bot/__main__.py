"""``python -m bot`` runs the ``complaints`` CLI."""

import sys

from bot.cli import main

sys.exit(main())
