"""``complaints db upgrade``, ``seed`` and ``import catalogue|orders FILE``: the database and its data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from bot.cases import migrate
from bot.cases.store import Store
from bot.catalogue.importer import import_catalogue, import_orders
from bot.cli.context import ArgChoice, json_option, pass_store, print_json


@click.group("db")
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_store
def upgrade(store: Store) -> None:
    """Apply migrations."""
    migrate.upgrade(store.engine)
    print(f"database at revision {migrate.current_revision(store.engine)}")


@click.command("seed")
@click.option("--no-cases", is_flag=True, help="catalogue and orders only")
@json_option()
@pass_store
def seed(store: Store, no_cases: bool, as_json: bool) -> None:
    """Load the demo catalogue, orders and case history."""
    from bot.catalogue.seed import seed_demo

    migrate.upgrade(store.engine)
    result = seed_demo(store, with_cases=not no_cases)
    if as_json:
        print_json(result)
    else:
        print(
            f"catalogue: {result['catalogue']['rows']} products, orders: {result['orders']['rows']}, "
            f"new demo cases: {result['cases_created']}"
        )


@click.command("import")
@click.argument("kind", type=ArgChoice(["catalogue", "orders"]), metavar="catalogue|orders")
@click.argument("file")
@json_option()
@pass_store
def import_file(store: Store, kind: str, file: str, as_json: bool) -> None:
    """Import a CSV file (all rows or none)."""
    importer: Callable[..., Any] = import_catalogue if kind == "catalogue" else import_orders
    report = importer(store, Path(file))
    if as_json:
        print_json(report.as_dict())
    else:
        print(f"{kind}: {report.rows} rows ({report.created} new, {report.updated} updated)")


def register(app: click.Group) -> None:
    """Add ``db``, ``seed`` and ``import`` to the CLI."""
    for command in (db, seed, import_file):
        app.add_command(command)
