"""``complaints followups list|due-now``; ``run-due`` and ``worker`` come from ``integrations.commands``."""

from __future__ import annotations

from typing import Optional

import click

from bot.cases.case_json import follow_up_to_dict
from bot.cases.store import Store
from bot.cli.context import CliError, json_option, pass_store, print_json


@click.group("followups")
def followups() -> None:
    """Satisfaction follow-ups."""


@followups.command("list")
@json_option()
@click.option("--status")
@pass_store
def list_followups(store: Store, as_json: bool, status: Optional[str]) -> None:
    """List follow-ups by due time."""
    with store.unit_of_work() as uow:
        rows = [follow_up_to_dict(f) for f in uow.followups.find(status=status)]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{row['case_reference']}  {row['status']:<9} due {row['due_at']}  via {row['channel']}")
        print(f"{len(rows)} follow-up(s)")


@followups.command("due-now")
@click.argument("reference")
@pass_store
def due_now(store: Store, reference: str) -> None:
    """Demo: make a case's pending follow-up due now."""
    from bot.followups.queue import make_due_now

    key = make_due_now(store, reference)
    if key is None:
        raise CliError(f"case {reference} has no pending follow-up")
    print(f"follow-up {key} is due now; the worker sends it on its next pass (or run `complaints followups run-due`)")


def register(app: click.Group) -> None:
    """Add ``followups`` to the CLI."""
    app.add_command(followups)
