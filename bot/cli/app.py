"""The ``complaints`` app: one click group of small command modules, plus commands from entry points.

Commands that start or need integration code (action server, Slack app, dashboard and web chat, the
scheduler worker, outbox replay with a deliverer) are not imported here: ``bot`` must not import
``integrations``. They register themselves through the ``complaints.commands`` entry-point group
(``integrations.commands:register`` in ``pyproject.toml``).
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Optional, Sequence

import click
from sqlalchemy.exc import OperationalError

from bot.cases import service
from bot.cases.status import IllegalTransition
from bot.cases.store import Store
from bot.catalogue.importer import ImportFailed
from bot.cli import (
    analyse,
    cases,
    config,
    corpus,
    data,
    evidence,
    followups,
    outbox,
    privacy,
    processes,
    reports,
    reviews,
    staff,
    transcripts,
)
from bot.cli.context import CliContext, CliError, cli_context

ENTRY_POINT_GROUP = "complaints.commands"
# Registration order matters where a module adds commands to another's group (privacy adds to cases).
MODULES = (
    data,
    cases,
    privacy,
    followups,
    outbox,
    analyse,
    corpus,
    reports,
    reviews,
    evidence,
    staff,
    config,
    processes,
    transcripts,
)
# Errors the user can act on: one line on stderr, exit status 1, no traceback.
USER_ERRORS = (ImportFailed, service.CaseNotFound, IllegalTransition, ValueError, CliError)

log = logging.getLogger(__name__)


@click.group("complaints", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
def complaints() -> None:
    """Complaint assistant administration."""
    cli_context().set_up_logging()


def load_plugins(app: click.Group, group: str = ENTRY_POINT_GROUP) -> None:
    """Let every installed ``group`` entry point add its commands to ``app``; a broken one is reported, not fatal."""
    for entry_point in entry_points(group=group):
        try:
            entry_point.load()(app)
        except Exception as exc:  # noqa: BLE001 - one broken plug-in must not take the whole CLI down
            print(f"warning: commands from {entry_point.value} are unavailable: {exc}", file=sys.stderr)


@lru_cache(maxsize=1)
def build_app() -> click.Group:
    """The CLI with every command module and plug-in registered (built once per process)."""
    for module in MODULES:
        module.register(complaints)
    load_plugins(complaints)
    return complaints


def _database_unavailable(exc: OperationalError) -> str:
    reason = str(exc.orig) if exc.orig is not None else str(exc)
    return (
        f"error: the case database is not available ({reason.splitlines()[0]}); "
        "check DATABASE_URL and run `complaints db upgrade`"
    )


def main(argv: Optional[Sequence[str]] = None, store: Optional[Store] = None) -> int:
    """Run the CLI on ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    A usage error prints the usage and raises ``SystemExit(2)``; errors the user can act on print one
    line and return 1. ``store`` (tests) replaces the environment's case store.
    """
    context = CliContext(store)
    try:
        result = build_app().main(
            args=list(argv) if argv is not None else None, prog_name="complaints", standalone_mode=False, obj=context
        )
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        print("Aborted!", file=sys.stderr)
        return 1
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(_database_unavailable(exc), file=sys.stderr)
        return 1
    finally:
        context.close()
    return result if isinstance(result, int) else 0
