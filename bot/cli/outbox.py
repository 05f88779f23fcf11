"""``complaints outbox list``: what waits for the case database (``replay`` comes from ``integrations.commands``)."""

from __future__ import annotations

import json

import click

from bot.cases import deferred
from bot.cases.store import Store
from bot.cli.context import json_option, pass_store


@click.group("outbox")
def outbox() -> None:
    """Work kept while the case database was unavailable."""


@outbox.command("list")
@json_option()
@pass_store
def list_outbox(store: Store, as_json: bool) -> None:
    """Entries waiting to be written, and those set aside."""
    box = deferred.outbox_for(store.settings)
    pending = [
        {
            "file": e.path.name,
            "kind": e.kind,
            "queued_at": e.queued_at,
            "attempts": e.attempts,
            "last_error": e.last_error,
        }
        for e in box.pending()
    ]
    failed = [path.name for path in box.failed()]
    if as_json:
        print(json.dumps({"directory": str(box.directory), "pending": pending, "failed": failed}, indent=2))
        return
    print(f"outbox {box.directory}: {len(pending)} waiting, {len(failed)} set aside for a person")
    for item in pending:
        print(f"  {item['queued_at']}  {item['kind']:<13} attempts {item['attempts']}  {item['last_error']}")


def register(app: click.Group) -> None:
    """Add ``outbox`` to the CLI."""
    app.add_command(outbox)
