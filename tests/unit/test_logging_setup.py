"""configure_logging: one format and level per service process, masking everywhere, idempotent.

Each case runs in a fresh interpreter: logging is process-wide state (and pytest puts its own
handlers on the root logger).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIGURE = (
    "import logging\n"
    "from bot.logging_setup import configure_logging\n"
    "from bot.settings import load_settings\n"
    "settings = load_settings({{'LOG_LEVEL': 'warning', 'COMPLAINTS_ROOT': {root!r}}})\n"
    "{calls}\n"
    "print(len(logging.getLogger().handlers))\n"
    "logging.getLogger('bot.demo').warning('customer %s rang', 'ann.lee@example.org')\n"
    "logging.getLogger('bot.demo').info('below the level')\n"
)


def _run(tmp_path: Path, calls: str) -> subprocess.CompletedProcess[str]:
    code = CONFIGURE.format(root=str(tmp_path), calls=calls)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


def test_a_service_gets_one_handler_in_the_shared_format_even_when_called_twice(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "configure_logging(settings, process='actions')\n"
        "configure_logging(settings, process='actions')\n"
        "configure_logging(settings, process='dashboard')",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(" WARNING bot.demo: customer [email] rang")
    assert "ann.lee" not in done.stderr and "below the level" not in done.stderr


def test_a_cli_command_keeps_python_defaults_but_is_masked(tmp_path: Path) -> None:
    done = _run(tmp_path, "configure_logging(settings)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # no handler added: command output stays as it was
    assert done.stderr.strip() == "customer [email] rang"
